using System.Buffers.Binary;
using System.Text;

namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// The protobuf wire format read from a span, without copying: a tag (field number and wire type), then a
/// varint, a fixed 32/64-bit value or a length-delimited payload. Every read is bounded by the span of the
/// enclosing message, so a lying length or a truncated file ends in a <see cref="ModelFormatException"/> that
/// names the source, the message being read and the byte offset, never in a read past the end.
/// </summary>
internal ref struct ProtoReader
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    private readonly ReadOnlySpan<byte> data;
    private readonly int baseOffset;   // offset of data[0] in the file, for messages
    private readonly string source;
    private readonly string message;
    private int position;

    public ProtoReader(ReadOnlySpan<byte> data, int baseOffset, string source, string message)
    {
        this.data = data;
        this.baseOffset = baseOffset;
        this.source = source;
        this.message = message;
        position = 0;
    }

    /// <summary>The file offset of the next byte to read.</summary>
    public readonly int Offset => baseOffset + position;

    public readonly string Source => source;

    public readonly ModelFormatException Error(string what) => new($"{source}: {message}: {what} (at byte {Offset}).");

    /// <summary>Reads the next tag; false at the end of the message.</summary>
    public bool Next(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (position >= data.Length) return false;
        ulong tag = ReadVarint();
        wireType = (int)(tag & 7);
        ulong number = tag >> 3;
        if (number == 0 || number > 536_870_911) throw Error($"invalid field number {number}");
        field = (int)number;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length) throw Error("truncated varint");
            byte b = data[position++];
            if (shift == 63 && b > 1) throw Error("varint longer than 64 bits");
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Error("varint longer than 10 bytes");
    }

    public long ReadInt64(int wireType, string field)
    {
        Expect(wireType, Varint, field);
        return (long)ReadVarint();
    }

    public int ReadInt32(int wireType, string field)
    {
        long v = ReadInt64(wireType, field);
        if (v is < int.MinValue or > int.MaxValue) throw Error($"{field} = {v} does not fit 32 bits");
        return (int)v;
    }

    public float ReadFloat(int wireType, string field)
    {
        Expect(wireType, Fixed32, field);
        return BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
    }

    public double ReadDouble(int wireType, string field)
    {
        Expect(wireType, Fixed64, field);
        return BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));
    }

    /// <summary>A length-delimited payload, and the file offset where it starts.</summary>
    public ReadOnlySpan<byte> ReadBytes(int wireType, string field, out int start)
    {
        Expect(wireType, LengthDelimited, field);
        ulong length = ReadVarint();
        if (length > (ulong)(data.Length - position))
            throw Error($"{field} declares {length} bytes, only {data.Length - position} remain in the message");
        start = Offset;
        return Take((int)length, field);
    }

    public string ReadString(int wireType, string field)
    {
        var bytes = ReadBytes(wireType, field, out _);
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error($"{field} is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>Skips a field this reader does not use (unknown fields are legal protobuf).</summary>
    public void Skip(int wireType, int field)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Take(8, $"field {field}"); break;
            case Fixed32: Take(4, $"field {field}"); break;
            case LengthDelimited: ReadBytes(wireType, $"field {field}", out _); break;
            default: throw Error($"field {field} has wire type {wireType}, which ONNX files do not use");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > data.Length - position) throw Error($"{field} is truncated: {count} bytes needed, {data.Length - position} remain");
        var slice = data.Slice(position, count);
        position += count;
        return slice;
    }

    private readonly void Expect(int wireType, int expected, string field)
    {
        if (wireType != expected) throw Error($"{field} has wire type {wireType}, expected {expected}");
    }
}
