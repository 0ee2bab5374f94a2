using System.Buffers.Binary;
using System.IO.Compression;

namespace RecurrentSharp.Data;

/// <summary>
/// Reads the IDX files of MNIST (LeCun et al.), gzip-compressed (<c>.gz</c>, detected by the gzip
/// magic bytes, not the name) or not. Layout, all integers big-endian:
/// <code>
/// images: int32 magic = 2051 (0x00000803: unsigned bytes, 3 dims), int32 count, int32 rows, int32 columns, count*rows*columns bytes
/// labels: int32 magic = 2049 (0x00000801: unsigned bytes, 1 dim),  int32 count, count bytes
/// </code>
/// The header is checked against the file length exactly, so a truncated download fails here.
/// </summary>
public static class IdxReader
{
    /// <summary>The magic number of an image file (0x00000803).</summary>
    public const int ImagesMagic = 2051;

    /// <summary>The magic number of a label file (0x00000801).</summary>
    public const int LabelsMagic = 2049;

    /// <summary>Reads an image file (magic 2051).</summary>
    public static IdxImages ReadImages(string path)
    {
        const int headerBytes = 16;
        byte[] bytes = ReadDecompressed(path, ImagesMagic, headerBytes,
            header => (Int128)ReadInt32(header, 4) * ReadInt32(header, 8) * ReadInt32(header, 12));
        CheckHeader(path, bytes, headerBytes, ImagesMagic, "image");
        int count = ReadInt32(bytes, 4), rows = ReadInt32(bytes, 8), columns = ReadInt32(bytes, 12);
        if (count < 0 || rows <= 0 || columns <= 0)
            throw new DataFormatException(path, null, $"IDX image header has count {count}, rows {rows}, columns {columns}");
        CheckLength(path, bytes, headerBytes, (long)count * rows * columns, $"{count} images of {rows}x{columns}");
        return new IdxImages(count, rows, columns, bytes.AsSpan(headerBytes).ToArray());
    }

    /// <summary>Reads a label file (magic 2049): one unsigned byte per item.</summary>
    public static byte[] ReadLabels(string path)
    {
        const int headerBytes = 8;
        byte[] bytes = ReadDecompressed(path, LabelsMagic, headerBytes, header => ReadInt32(header, 4));
        CheckHeader(path, bytes, headerBytes, LabelsMagic, "label");
        int count = ReadInt32(bytes, 4);
        if (count < 0) throw new DataFormatException(path, null, $"IDX label header has count {count}");
        CheckLength(path, bytes, headerBytes, count, $"{count} labels");
        return bytes.AsSpan(headerBytes).ToArray();
    }

    private static int ReadInt32(byte[] bytes, int offset) => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));

    private static void CheckHeader(string path, byte[] bytes, int headerBytes, int magic, string kind)
    {
        if (bytes.Length < 4)
            throw new DataFormatException(path, null, $"is {bytes.Length} bytes long, too short for an IDX magic number");
        int found = ReadInt32(bytes, 0);
        if (found != magic)
        {
            string hint = found == (magic == ImagesMagic ? LabelsMagic : ImagesMagic)
                ? $" (this is an IDX {(magic == ImagesMagic ? "label" : "image")} file; were the image and label files swapped?)"
                : "";
            throw new DataFormatException(path, null, $"IDX magic number is {found} (0x{found:X8}), expected {magic} (0x{magic:X8}) for a {kind} file{hint}");
        }
        if (bytes.Length < headerBytes)
            throw new DataFormatException(path, null, $"is {bytes.Length} bytes long, shorter than the {headerBytes}-byte IDX {kind} header");
    }

    private static void CheckLength(string path, byte[] bytes, int headerBytes, long payload, string what)
    {
        long expected = headerBytes + payload;
        if (bytes.Length != expected)
            throw new DataFormatException(path, null,
                bytes.Length < expected || !IsGzip(path)
                    ? $"the header promises {what} = {expected} bytes in all, but the {(IsGzip(path) ? "decompressed " : "")}file has {bytes.Length} bytes ({(bytes.Length < expected ? "truncated" : "trailing data")})"
                    : $"the header promises {what} = {expected} bytes in all, but the file decompresses to more (trailing data)");
    }

    private static bool IsGzip(string path)
    {
        using var stream = File.OpenRead(path);
        return stream.ReadByte() == 0x1F && stream.ReadByte() == 0x8B;
    }

    /// <summary>
    /// The file's content, gunzipped when it starts with the gzip magic bytes 1F 8B. Decompression stops one byte
    /// past the length the header promises (<paramref name="headerBytes"/> plus <paramref name="payload"/> of the
    /// decompressed header; just the header when its magic number is not <paramref name="magic"/>, for the caller to
    /// refuse), so a file that inflates to far more — a gzip bomb, or a header that lies — is refused
    /// as trailing data without being inflated whole, and a promise beyond what one array holds is refused at once.
    /// </summary>
    private static byte[] ReadDecompressed(string path, int magic, int headerBytes, Func<byte[], Int128> payload)
    {
        byte[] raw = TextLines.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            var header = new byte[headerBytes];
            int read = gzip.ReadAtLeast(header, headerBytes, throwOnEndOfStream: false);
            if (read < headerBytes || ReadInt32(header, 0) != magic) return header[..read];
            Int128 promised = headerBytes + Int128.Max(0, payload(header));
            if (promised >= Array.MaxLength)
                throw new DataFormatException(path, null, $"the IDX header promises {promised} decompressed bytes, more than one array holds ({Array.MaxLength})");
            int limit = (int)promised + 1;
            using var output = new MemoryStream();
            output.Write(header);
            var buffer = new byte[1 << 16];
            while (output.Length < limit && (read = gzip.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - output.Length))) > 0)
                output.Write(buffer, 0, read);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, null, $"is not a valid gzip file ({e.Message}); a partial download?", e);
        }
    }
}
