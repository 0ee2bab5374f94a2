namespace RecurrentSharp.Kernels;

/// <summary>
/// The im2row rearrangement of a channels-last image (H, W, C): row p of the (OH·OW) x (KH·KW·C) matrix holds
/// the patch under output position p, in (ki, kj, c) order, so a convolution is one product with the kernel
/// reordered to (KH·KW·C) x O, and its result (OH·OW) x O is again channels-last. Padding may differ per side
/// (ONNX's <c>pads</c>, e.g. 3 before and 2 after for a 7x7 stride-2 convolution of 224 pixels); positions in
/// the padding read 0.
/// </summary>
public static class ImageRows
{
    /// <summary>Output size along one axis with <paramref name="before"/> and <paramref name="after"/> padding.</summary>
    public static int OutputSize(int input, int kernel, int stride, int before, int after) => (input + before + after - kernel) / stride + 1;

    /// <summary>Fills <paramref name="rows"/> (outH·outW x kernelH·kernelW·channels) from <paramref name="image"/> (height x width x channels).</summary>
    public static void ToRows(ReadOnlySpan<float> image, int height, int width, int channels, int kernelH, int kernelW, int stride,
        int padTop, int padLeft, int outH, int outW, Span<float> rows)
    {
        int rowLength = kernelH * kernelW * channels;
        if (image.Length < height * width * channels || rows.Length < outH * outW * rowLength)
            throw new ArgumentException($"ImageRows: image of {image.Length} or rows of {rows.Length} floats too small for ({height}, {width}, {channels}) -> {outH}x{outW} rows of {rowLength}.");
        for (int oy = 0; oy < outH; oy++)
            for (int ox = 0; ox < outW; ox++)
            {
                var row = rows.Slice((oy * outW + ox) * rowLength, rowLength);
                int x0 = ox * stride - padLeft;
                // Columns of the window inside the image: a run of (kx1 - kx0) pixels, contiguous in memory.
                int kx0 = Math.Max(0, -x0), kx1 = Math.Min(kernelW, width - x0);
                for (int ki = 0; ki < kernelH; ki++)
                {
                    var part = row.Slice(ki * kernelW * channels, kernelW * channels);
                    int y = oy * stride - padTop + ki;
                    if ((uint)y >= (uint)height || kx1 <= kx0)
                    {
                        part.Clear();
                        continue;
                    }
                    if (kx0 > 0) part[..(kx0 * channels)].Clear();
                    image.Slice((y * width + x0 + kx0) * channels, (kx1 - kx0) * channels).CopyTo(part[(kx0 * channels)..]);
                    if (kx1 < kernelW) part[(kx1 * channels)..].Clear();
                }
            }
    }
}
