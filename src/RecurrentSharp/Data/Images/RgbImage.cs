namespace RecurrentSharp.Data.Images;

/// <summary>An 8-bit RGB image, row-major, channels interleaved (R, G, B of pixel (0, 0) first).</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Pixels">Height · width · 3 bytes.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The byte of channel <paramref name="channel"/> (0 = R) at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public byte At(int y, int x, int channel) => Pixels[(y * Width + x) * 3 + channel];
}
