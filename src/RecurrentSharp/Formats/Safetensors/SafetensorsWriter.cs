using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RecurrentSharp.Formats.Safetensors;

/// <summary>
/// Collects named tensors and <c>__metadata__</c> strings and writes them as a safetensors file that
/// <see cref="SafetensorsReader"/> (and the reference Python/Rust readers) accept.
/// </summary>
/// <remarks>
/// The values are copied when added. The data section is laid out 8-byte types first (F64, I64), then
/// 4-byte types (F32, I32), each group in the order added, so every tensor is aligned to its element
/// size; the JSON header is padded with spaces so the data section starts at a multiple of 8.
/// </remarks>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, SafetensorsDType DType, int[] Shape, byte[] Bytes)> tensors = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <summary>The <c>__metadata__</c> strings to write (keys and values are free text).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>The number of tensors added so far.</summary>
    public int Count => tensors.Count;


    /// <summary>Adds float32 values with the given shape.</summary>
    public SafetensorsWriter Add(string name, ReadOnlySpan<float> values, params int[] shape) => AddValues(name, SafetensorsDType.F32, values, shape);

    /// <summary>Adds float64 values with the given shape.</summary>
    public SafetensorsWriter Add(string name, ReadOnlySpan<double> values, params int[] shape) => AddValues(name, SafetensorsDType.F64, values, shape);

    /// <summary>Adds int32 values with the given shape.</summary>
    public SafetensorsWriter Add(string name, ReadOnlySpan<int> values, params int[] shape) => AddValues(name, SafetensorsDType.I32, values, shape);

    /// <summary>Adds int64 values with the given shape.</summary>
    public SafetensorsWriter Add(string name, ReadOnlySpan<long> values, params int[] shape) => AddValues(name, SafetensorsDType.I64, values, shape);

    /// <summary>True when a tensor of that name was added.</summary>
    public bool Contains(string name) => names.Contains(name);

    private SafetensorsWriter AddValues<T>(string name, SafetensorsDType dtype, ReadOnlySpan<T> values, int[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name == SafetensorsReader.MetadataKey)
            throw new ArgumentException($"'{name}' cannot name a tensor.", nameof(name));
        if (shape.Length > SafetensorsReader.MaxRank)
            throw new ArgumentException($"Tensor '{name}' has {shape.Length} axes; at most {SafetensorsReader.MaxRank} are allowed.", nameof(shape));
        long count = 1;
        foreach (int size in shape)
        {
            if (size < 0) throw new ArgumentException($"Tensor '{name}' has a negative size in shape [{string.Join(", ", shape.ToArray())}].", nameof(shape));
            count *= size;
        }
        if (count != values.Length)
            throw new ArgumentException($"Tensor '{name}': {values.Length} values do not fill shape [{string.Join(", ", shape.ToArray())}].", nameof(values));
        if (!names.Add(name))
            throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian) SwapBytes(bytes, dtype.ElementSize());
        tensors.Add((name, dtype, (int[])shape.Clone(), bytes));
        return this;
    }

    /// <summary>Writes the file to a stream (from its current position).</summary>
    public void WriteTo(Stream stream)
    {
        // 8-byte elements first, then 4-byte ones: every tensor starts at a multiple of its element size.
        var ordered = tensors.Select((t, i) => (t, i))
            .OrderByDescending(x => x.t.DType.ElementSize()).ThenBy(x => x.i)
            .Select(x => x.t).ToList();
        byte[] header = BuildHeader(ordered);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var t in ordered) stream.Write(t.Bytes);
    }

    /// <summary>The whole file as bytes.</summary>
    public byte[] ToArray()
    {
        using var memory = new MemoryStream();
        WriteTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Writes the file to <paramref name="path"/> through a temporary file and a rename (<see cref="AtomicFile"/>),
    /// so an existing file is replaced only by a complete new one.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    private byte[] BuildHeader(List<(string Name, SafetensorsDType DType, int[] Shape, byte[] Bytes)> ordered)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (Metadata.Count > 0)
            {
                writer.WriteStartObject(SafetensorsReader.MetadataKey);
                foreach (var (key, value) in Metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in ordered)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType.HeaderName());
                writer.WriteStartArray("shape");
                foreach (int s in t.Shape) writer.WriteNumberValue(s);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + t.Bytes.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += t.Bytes.Length;
            }
            writer.WriteEndObject();
        }
        // Pad with spaces so that 8 + header length is a multiple of 8.
        int length = (int)json.Length;
        int padded = (length + 8 + 7) / 8 * 8 - 8;
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void SwapBytes(byte[] bytes, int elementSize)
    {
        for (int i = 0; i < bytes.Length; i += elementSize) bytes.AsSpan(i, elementSize).Reverse();
    }
}
