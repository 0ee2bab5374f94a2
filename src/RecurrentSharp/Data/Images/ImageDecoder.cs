using StbImageSharp;

namespace RecurrentSharp.Data.Images;

/// <summary>
/// Decodes JPEG and PNG files (any size; grey, grey + alpha and RGBA become RGB) with StbImageSharp, a managed port
/// of stb_image. stb_image fills a truncated JPEG's missing blocks with grey instead of failing, so a file is
/// also refused when it lacks its end: a JPEG's end-of-image marker (FF D9) or a PNG's IEND chunk. Every failure
/// is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads and decodes an image file.</summary>
    public static RgbImage Decode(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, $"cannot read the image ({e.Message})", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes an image from its bytes; <paramref name="source"/> names it in errors.</summary>
    public static RgbImage Decode(byte[] bytes, string source)
    {
        if (IsJpeg(bytes))
        {
            if (!EndsWithMarker(bytes)) throw new DataFormatException(source, null, "the JPEG is truncated (no end-of-image marker FF D9)");
            if (JpegStructureProblem(bytes) is { } problem) throw new DataFormatException(source, null, $"not a valid JPEG: {problem}");
        }
        else if (IsPng(bytes))
        {
            if (bytes.AsSpan().LastIndexOf("IEND"u8) < 0) throw new DataFormatException(source, null, "the PNG is truncated (no IEND chunk)");
        }
        else throw new DataFormatException(source, null, "not a JPEG or PNG file (unknown signature)");
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(source, null, $"the image cannot be decoded ({e.Message})", e);
        }
        if (result is null || result.Width <= 0 || result.Height <= 0 || result.Data is null || result.Data.Length != (long)result.Width * result.Height * 3)
            throw new DataFormatException(source, null, "the image cannot be decoded (no pixels)");
        return new RgbImage(result.Width, result.Height, result.Data);
    }

    private static bool IsJpeg(ReadOnlySpan<byte> b) => b.Length >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;

    private static bool IsPng(ReadOnlySpan<byte> b) => b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    /// <summary>
    /// Walks the JPEG's marker segments from the start-of-image to the start of the scan: every segment must begin
    /// with FF, fit in the file, and a frame header (SOF, 8-bit, 1 or 3 components, sizes 1..65500) must come before
    /// the scan. stb_image can loop forever on some malformed headers instead of failing, so they are refused here.
    /// Returns null when the structure is sound, else what is wrong.
    /// </summary>
    private static string? JpegStructureProblem(ReadOnlySpan<byte> b)
    {
        int at = 2;
        bool frame = false;
        while (at + 4 <= b.Length)
        {
            if (b[at] != 0xFF) return $"byte {at} should start a marker (FF), it is {b[at]:X2}";
            byte marker = b[at + 1];
            if (marker == 0xFF) { at++; continue; }   // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; }   // markers without a segment
            if (marker is 0x00 or 0xD8 or 0xD9) return $"marker FF {marker:X2} at byte {at} before the image data";
            int length = (b[at + 2] << 8) | b[at + 3];
            if (length < 2 || at + 2 + length > b.Length) return $"the segment FF {marker:X2} at byte {at} runs past the end of the file";
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (length < 8) return $"the frame header at byte {at} is too short";
                int precision = b[at + 4], height = (b[at + 5] << 8) | b[at + 6], width = (b[at + 7] << 8) | b[at + 8], components = b[at + 9];
                if (precision != 8 || height is < 1 or > 65500 || width is < 1 or > 65500 || components is not (1 or 3) || length != 8 + 3 * components)
                    return $"the frame header at byte {at} describes {width} x {height}, {components} components of {precision} bits";
                frame = true;
            }
            if (marker == 0xDA) return frame ? null : $"the scan at byte {at} comes before any frame header";
            at += 2 + length;
        }
        return "no scan (image data) found";
    }

    /// <summary>FF D9 among the last bytes (some writers pad after it).</summary>
    private static bool EndsWithMarker(ReadOnlySpan<byte> b)
    {
        var tail = b[Math.Max(2, b.Length - 1024)..];
        for (int i = tail.Length - 2; i >= 0; i--)
            if (tail[i] == 0xFF && tail[i + 1] == 0xD9) return true;
        return false;
    }
}
