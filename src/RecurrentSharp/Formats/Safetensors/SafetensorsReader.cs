using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace RecurrentSharp.Formats.Safetensors;

/// <summary>
/// Reads safetensors files and treats them as hostile: every number in the header is checked against
/// the file before it is used, so a corrupted or malicious file raises a <see cref="ModelFormatException"/>
/// that names the file (and the tensor) instead of reading out of bounds or allocating what it claims.
/// </summary>
/// <remarks>
/// <para>The layout: bytes 0..7 hold N, the header length (unsigned 64-bit little-endian); bytes 8..8+N-1
/// a UTF-8 JSON object; the rest is the data section. Each header entry other than <c>__metadata__</c> is
/// <c>{"dtype": "F32", "shape": [d0, ...], "data_offsets": [begin, end]}</c> with offsets relative to the
/// data section.</para>
/// <para>What is accepted, precisely:</para>
/// <list type="bullet">
/// <item>8 &lt;= file length; 2 &lt;= N &lt;= <see cref="MaxHeaderBytes"/>; 8 + N &lt;= file length.
/// N need not make 8 + N a multiple of 8 (older writers did not pad); the data is copied out, so the
/// absolute position does not matter.</item>
/// <item>The header is valid UTF-8, starts with <c>{</c>, and is one JSON object followed only by
/// spaces (0x20, the padding writers use). No comments, no trailing commas, nesting depth at most 8.</item>
/// <item>Names are non-empty and unique (a repeated key is rejected, even though JSON parsers
/// often keep the last one). <c>__metadata__</c>, if present, is an object whose values are all strings,
/// with unique keys.</item>
/// <item>A tensor entry is an object with exactly the keys <c>dtype</c>, <c>shape</c>, <c>data_offsets</c>.
/// dtype is F32, F64, I32 or I64; shape is an array of at most <see cref="MaxRank"/> integers in
/// 0..int.MaxValue whose product (the element count, 1 for <c>[]</c>) is at most <see cref="Array.MaxLength"/>;
/// data_offsets is two integers 0 &lt;= begin &lt;= end &lt;= data length with
/// end - begin = element count × element size.</item>
/// <item>A tensor need not start at a multiple of its element size: files written from PyTorch do
/// not always align them (the fixture <c>lstm_L1_bi_bf_T25_B5_I7_H24_var</c> has an I64 tensor at data
/// offset 28844), and the reference reader does not demand it. The values are copied out, never
/// reinterpreted in place, so alignment cannot cause a misread; what is required is that each range
/// holds exactly its whole elements and that the ranges tile the data section.</item>
/// <item>Sorted by begin, the tensors tile the data section exactly: the first begins at 0, each begins
/// where the previous ends (no gap, no overlap), the last ends at the end of the file. There is no
/// padding between or after tensors; padding exists only as trailing spaces inside the header.</item>
/// </list>
/// <para>Memory: nothing is allocated from a claimed size before it has been checked against the file's
/// actual length. The header is read into one buffer of N bytes (N &lt;= file length) and parsed once;
/// tensor values are read straight into arrays whose total size is the data section's.</para>
/// </remarks>
public static class SafetensorsReader
{
    /// <summary>The largest header accepted (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The largest number of axes accepted in a shape.</summary>
    public const int MaxRank = 32;

    /// <summary>The key of the metadata entry.</summary>
    public const string MetadataKey = "__metadata__";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>One header entry, validated except for its place among the others.</summary>
    private readonly record struct Entry(string Name, SafetensorsDType DType, int[] Shape, int Count, long Begin, long End);

    /// <summary>Reads a whole file. A malformed file raises <see cref="ModelFormatException"/>; a missing or unreadable one the usual I/O exceptions.</summary>
    public static SafetensorsFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>Reads a file held in memory; <paramref name="source"/> names it in messages.</summary>
    public static SafetensorsFile Read(byte[] bytes, string source = "<memory>")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, source);
    }

    /// <summary>
    /// Reads from the current position to the end of a seekable stream; <paramref name="source"/> names
    /// the file in messages.
    /// </summary>
    public static SafetensorsFile Read(Stream stream, string source)
    {
        if (!stream.CanSeek || !stream.CanRead)
            throw new ArgumentException("The safetensors reader needs a readable, seekable stream (it checks sizes against the stream's length).", nameof(stream));
        long start = stream.Position;
        long fileLength = stream.Length - start;

        // ---- the 8-byte header length
        if (fileLength < 8)
            throw Fail(source, $"the file has {fileLength} bytes, fewer than the 8 of the header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(stream, lengthBytes, source);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n < 2)
            throw Fail(source, $"the header length is {n} bytes, too small for a JSON object");
        if (n > MaxHeaderBytes)
            throw Fail(source, $"the header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
        if (n > (ulong)(fileLength - 8))
            throw Fail(source, $"the header length {n} is larger than the {fileLength - 8} bytes after the length field");
        int headerLength = (int)n;
        long dataLength = fileLength - 8 - headerLength;

        // ---- the JSON header (the buffer is at most the file's size, checked above)
        var header = new byte[headerLength];
        ReadExactly(stream, header, source);
        var (metadata, entries) = ParseHeader(header, dataLength, source);

        // ---- the tensors must tile the data section
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                throw Fail(source, $"tensor {Quote(e.Name)} (bytes {e.Begin}..{e.End}) overlaps tensor {Quote(previous!)} (which ends at {expected})");
            if (e.Begin > expected)
                throw Fail(source, $"there is a gap of {e.Begin - expected} bytes before tensor {Quote(e.Name)} (the tensors must tile the data section)");
            expected = e.End;
            previous = e.Name;
        }
        if (expected != dataLength)
            throw Fail(source, $"the data section has {dataLength - expected} bytes after the last tensor{(previous is null ? "" : " " + Quote(previous))} (the tensors must tile it)");

        // ---- the values: one array per tensor, read in file order (the total is the data section's size)
        var tensors = new List<SafetensorsTensor>(entries.Count);
        foreach (var e in entries)
        {
            Array values = e.DType switch
            {
                SafetensorsDType.F32 => ReadValues<float>(stream, e.Count, source),
                SafetensorsDType.F64 => ReadValues<double>(stream, e.Count, source),
                SafetensorsDType.I32 => ReadValues<int>(stream, e.Count, source),
                _ => ReadValues<long>(stream, e.Count, source),
            };
            tensors.Add(new SafetensorsTensor(source, e.Name, e.DType, e.Shape, values));
        }
        return new SafetensorsFile(source, metadata, tensors);
    }

    private static (Dictionary<string, string> Metadata, List<Entry> Entries) ParseHeader(byte[] header, long dataLength, string source)
    {
        if (!Utf8.IsValid(header))
            throw Fail(source, "the header is not valid UTF-8");
        if (header[0] != (byte)'{')
            throw Fail(source, $"the header does not start with '{{' (first byte 0x{header[0]:X2})");
        // Writers pad the header with spaces; strip them, and demand that the object ends there.
        int end = header.Length;
        while (end > 0 && header[end - 1] == (byte)' ') end--;
        if (header[end - 1] != (byte)'}')
            throw Fail(source, "the header does not end with '}' followed only by spaces");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header.AsMemory(0, end), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{source}: the header is not valid JSON ({ex.Message})", ex);
        }
        using (document)
        {
            try
            {
                return ParseEntries(document.RootElement, dataLength, source);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement accessors throw this for strings that are not valid text (lone surrogate escapes).
                throw new ModelFormatException($"{source}: the header holds an unreadable JSON value ({ex.Message})", ex);
            }
        }
    }

    private static (Dictionary<string, string>, List<Entry>) ParseEntries(JsonElement root, long dataLength, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"the header is a JSON {root.ValueKind}, not an object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        foreach (var property in root.EnumerateObject())
        {
            string name = property.Name;
            if (name == MetadataKey)
            {
                if (sawMetadata) throw Fail(source, $"'{MetadataKey}' appears twice");
                sawMetadata = true;
                ParseMetadata(property.Value, metadata, source);
                continue;
            }
            if (name.Length == 0) throw Fail(source, "a tensor has an empty name");
            if (!names.Add(name)) throw Fail(source, $"tensor {Quote(name)} appears twice in the header");
            entries.Add(ParseEntry(name, property.Value, dataLength, source));
        }
        return (metadata, entries);
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"'{MetadataKey}' is a JSON {value.ValueKind}, not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Fail(source, $"metadata value {Quote(item.Name)} is a JSON {item.Value.ValueKind}; metadata values must be strings");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Fail(source, $"metadata key {Quote(item.Name)} appears twice");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, long dataLength, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"tensor {Quote(name)}: the entry is a JSON {value.ValueKind}, not an object");
        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeElement;
            switch (field.Name)
            {
                case "dtype": slot = ref dtypeElement; break;
                case "shape": slot = ref shapeElement; break;
                case "data_offsets": slot = ref offsetsElement; break;
                default: throw Fail(source, $"tensor {Quote(name)}: unknown field {Quote(field.Name)} (expected dtype, shape, data_offsets)");
            }
            if (slot is not null) throw Fail(source, $"tensor {Quote(name)}: field {Quote(field.Name)} appears twice");
            slot = field.Value;
        }
        if (dtypeElement is not { } dtypeValue) throw Fail(source, $"tensor {Quote(name)}: no 'dtype'");
        if (shapeElement is not { } shapeValue) throw Fail(source, $"tensor {Quote(name)}: no 'shape'");
        if (offsetsElement is not { } offsetsValue) throw Fail(source, $"tensor {Quote(name)}: no 'data_offsets'");

        // dtype
        if (dtypeValue.ValueKind != JsonValueKind.String)
            throw Fail(source, $"tensor {Quote(name)}: 'dtype' is a JSON {dtypeValue.ValueKind}, not a string");
        string dtypeName = dtypeValue.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype))
            throw Fail(source, $"tensor {Quote(name)}: dtype '{Printable(dtypeName)}' is not supported (F32, F64, I32, I64)");

        // shape: each size in 0..int.MaxValue, count = Π sizes <= Array.MaxLength (checked before any overflow)
        if (shapeValue.ValueKind != JsonValueKind.Array)
            throw Fail(source, $"tensor {Quote(name)}: 'shape' is a JSON {shapeValue.ValueKind}, not an array");
        int rank = shapeValue.GetArrayLength();
        if (rank > MaxRank)
            throw Fail(source, $"tensor {Quote(name)}: the shape has {rank} axes, more than the {MaxRank} accepted");
        var shape = new int[rank];
        int axis = 0;
        foreach (var size in shapeValue.EnumerateArray())
        {
            long s = ReadInteger(size, source, name, "a shape size");
            if (s > int.MaxValue) throw Fail(source, $"tensor {Quote(name)}: shape size {s} at axis {axis} is too large");
            shape[axis++] = (int)s;
        }
        long count = 1;
        foreach (int s in shape)
        {
            if (s == 0) { count = 0; break; }
        }
        if (count != 0)
            foreach (int s in shape)
            {
                count *= s; // both factors <= Array.MaxLength < 2^31, so no overflow before the check
                if (count > Array.MaxLength)
                    throw Fail(source, $"tensor {Quote(name)}: shape {FormatShape(shape)} holds more than {Array.MaxLength} elements");
            }

        // data_offsets
        if (offsetsValue.ValueKind != JsonValueKind.Array || offsetsValue.GetArrayLength() != 2)
            throw Fail(source, $"tensor {Quote(name)}: 'data_offsets' must be an array of two integers");
        long begin = ReadInteger(offsetsValue[0], source, name, "a data offset");
        long end = ReadInteger(offsetsValue[1], source, name, "a data offset");
        if (begin > end)
            throw Fail(source, $"tensor {Quote(name)}: data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw Fail(source, $"tensor {Quote(name)}: data_offsets [{begin}, {end}] reach past the data section's {dataLength} bytes");
        int elementSize = dtype.ElementSize();
        long bytes = count * elementSize;
        if (end - begin != bytes)
            throw Fail(source, $"tensor {Quote(name)}: shape {FormatShape(shape)} of {dtype} needs {bytes} bytes, but data_offsets [{begin}, {end}] span {end - begin}");
        return new Entry(name, dtype, shape, (int)count, begin, end);
    }

    private static long ReadInteger(JsonElement element, string source, string name, string what)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long v))
            throw Fail(source, $"tensor {Quote(name)}: {what} is not an integer ({Printable(element.GetRawText())})");
        if (v < 0)
            throw Fail(source, $"tensor {Quote(name)}: {what} is negative ({v})");
        return v;
    }

    private static T[] ReadValues<T>(Stream stream, int count, string source) where T : unmanaged
    {
        var values = GC.AllocateUninitializedArray<T>(count);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        ReadExactly(stream, bytes, source);
        if (!BitConverter.IsLittleEndian) ReverseEndianness(values);
        return values;
    }

    private static void ReverseEndianness<T>(T[] values) where T : unmanaged
    {
        switch (values)
        {
            case float[] f: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(f.AsSpan()), MemoryMarshal.Cast<float, int>(f.AsSpan())); break;
            case double[] d: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(d.AsSpan()), MemoryMarshal.Cast<double, long>(d.AsSpan())); break;
            case int[] i: BinaryPrimitives.ReverseEndianness(i, i); break;
            case long[] l: BinaryPrimitives.ReverseEndianness(l, l); break;
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelFormatException($"{source}: the file ended early", ex);
        }
    }

    /// <summary>A name from the file, quoted, shortened and stripped of control characters for a message.</summary>
    private static string Quote(string name) => "'" + Printable(name, 80) + "'";

    private static string FormatShape(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Keeps messages short and printable when the header holds garbage.</summary>
    private static string Printable(string text, int limit = 40)
    {
        var chars = text.Length > limit ? text[..limit] + "…" : text;
        return new string(chars.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }

    private static ModelFormatException Fail(string source, string message) => new($"{source}: {message}.");
}
