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
            if (PngStructureProblem(bytes) is { } problem) throw new DataFormatException(source, null, $"not a valid PNG: {problem}");
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

    /// <summary>
    /// Walks the PNG's chunks (length, type, data, CRC) from the signature to IEND: every chunk must fit in the file,
    /// IHDR must come first and describe a valid image (sizes 1..65535, a bit depth allowed for its colour type,
    /// compression and filter method 0, interlace 0 or 1), and the IDAT data must inflate to exactly the bytes that
    /// header needs (per row a filter byte and the packed samples, over the 7 Adam7 passes when interlaced).
    /// StbImageSharp reads out of bounds on some inconsistent files (found by fuzzing: an access violation kills
    /// the process), so they are refused here. A header asking for more bytes than deflate can make of the IDAT
    /// data (at most 1032 : 1) is refused before anything is inflated. Returns null when sound, else what is wrong.
    /// </summary>
    private static string? PngStructureProblem(byte[] b)
    {
        int at = 8;
        long width = 0, height = 0;
        int depth = 0, colour = 0, interlace = 0;
        var idat = new List<(int Offset, int Length)>();
        long idatBytes = 0;
        while (true)
        {
            if (at + 12 > b.Length) return $"the chunk at byte {at} runs past the end of the file";
            long length = ((long)b[at] << 24) | ((long)b[at + 1] << 16) | ((long)b[at + 2] << 8) | b[at + 3];
            if (length > b.Length - at - 12) return $"the chunk at byte {at} declares {length} bytes, more than the file holds";
            var type = b.AsSpan(at + 4, 4);
            int data = at + 8;
            if (at == 8)
            {
                if (!type.SequenceEqual("IHDR"u8) || length != 13) return "the first chunk is not a 13-byte IHDR";
                width = ((long)b[data] << 24) | ((long)b[data + 1] << 16) | ((long)b[data + 2] << 8) | b[data + 3];
                height = ((long)b[data + 4] << 24) | ((long)b[data + 5] << 16) | ((long)b[data + 6] << 8) | b[data + 7];
                depth = b[data + 8]; colour = b[data + 9]; interlace = b[data + 12];
                bool depthAllowed = colour switch
                {
                    0 => depth is 1 or 2 or 4 or 8 or 16,
                    3 => depth is 1 or 2 or 4 or 8,
                    2 or 4 or 6 => depth is 8 or 16,
                    _ => false,
                };
                if (width is < 1 or > 65535 || height is < 1 or > 65535 || !depthAllowed || b[data + 10] != 0 || b[data + 11] != 0 || interlace > 1)
                    return $"the IHDR describes {width} x {height}, colour type {colour}, {depth} bits, interlace {interlace}";
            }
            else if (type.SequenceEqual("IDAT"u8)) { idat.Add((data, (int)length)); idatBytes += length; }
            else if (type.SequenceEqual("IEND"u8)) break;
            at = data + (int)length + 4;
        }
        if (idat.Count == 0) return "no IDAT (image data) chunk";

        int channels = colour switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        long RowBytes(long w) => 1 + (w * channels * depth + 7) / 8;   // the filter byte, then the packed samples
        long expected = 0;
        if (interlace == 0) expected = height * RowBytes(width);
        else
            foreach (var (x0, y0, dx, dy) in new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
            {
                long w = (width - x0 + dx - 1) / dx, h = (height - y0 + dy - 1) / dy;
                if (w > 0 && h > 0) expected += h * RowBytes(w);
            }
        if (expected > 1032 * idatBytes + 64) return $"the IHDR needs {expected} bytes of image data, more than {idatBytes} compressed bytes can hold";

        // Inflate the concatenated IDAT data, counting the bytes, into one reused buffer.
        long produced = 0;
        try
        {
            using var compressed = new ChunkStream(b, idat);
            using var inflater = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionMode.Decompress);
            var buffer = new byte[16384];
            int n;
            while ((n = inflater.Read(buffer)) > 0)
            {
                produced += n;
                if (produced > expected) return $"the image data inflates to more than the {expected} bytes its IHDR needs";
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)   // ZLibException is an IOException
        {
            return $"the image data is not valid zlib data ({e.Message})";
        }
        return produced == expected ? null : $"the image data inflates to {produced} bytes, its IHDR needs {expected}";
    }

    /// <summary>The data of a PNG's IDAT chunks read one after another as one stream.</summary>
    private sealed class ChunkStream(byte[] bytes, List<(int Offset, int Length)> chunks) : Stream
    {
        private int chunk, within;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (chunk < chunks.Count && within == chunks[chunk].Length) { chunk++; within = 0; }
            if (chunk == chunks.Count || buffer.Length == 0) return 0;
            int n = Math.Min(buffer.Length, chunks[chunk].Length - within);
            bytes.AsSpan(chunks[chunk].Offset + within, n).CopyTo(buffer);
            within += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
