using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RecurrentSharp.Formats.Onnx;

/// <summary>The element types RecurrentSharp reads and writes (TensorProto.DataType numbers).</summary>
public enum OnnxDataType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>IEEE float32.</summary>
    Float = 1,
    /// <summary>Unsigned byte.</summary>
    UInt8 = 2,
    /// <summary>Signed byte.</summary>
    Int8 = 3,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,
    /// <summary>Boolean, one byte.</summary>
    Bool = 9,
    /// <summary>IEEE float64.</summary>
    Double = 11,
}

/// <summary>
/// A named dense tensor (TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8,
/// raw_data 9, double_data 10). The values are kept as little-endian bytes, whichever field they came in.
/// </summary>
public sealed class OnnxTensor
{
    /// <summary>Creates a tensor; <paramref name="data"/> must hold exactly the product of <paramref name="dims"/> elements.</summary>
    public OnnxTensor(string name, OnnxDataType dataType, long[] dims, byte[] data)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        Data = data;
        long count = ElementCount(dims, name);
        if (count * ElementSize(dataType, name) != data.Length)
            throw new ModelFormatException($"tensor '{name}': {data.Length} data bytes for {count} elements of {dataType}.");
    }

    /// <summary>The tensor's name (an initializer's name is the value name nodes refer to).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The dimensions; empty for a scalar.</summary>
    public long[] Dims { get; }

    /// <summary>The values, little-endian, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>The number of elements (the product of <see cref="Dims"/>).</summary>
    public long Count => Data.Length / ElementSize(DataType, Name);

    /// <summary>A float32 tensor.</summary>
    public static OnnxTensor FromFloats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        new(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int64 tensor.</summary>
    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<long> values, params long[] dims) =>
        new(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The values as float32 (float32 tensors only).</summary>
    public float[] ToFloats()
    {
        Expect(OnnxDataType.Float);
        var result = new float[Data.Length / 4];
        for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(4 * i));
        return result;
    }

    /// <summary>The values as int64 (int64 and int32 tensors).</summary>
    public long[] ToInt64s()
    {
        if (DataType == OnnxDataType.Int32)
        {
            var narrow = new long[Data.Length / 4];
            for (int i = 0; i < narrow.Length; i++) narrow[i] = BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan(4 * i));
            return narrow;
        }
        Expect(OnnxDataType.Int64);
        var result = new long[Data.Length / 8];
        for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(8 * i));
        return result;
    }

    private void Expect(OnnxDataType type)
    {
        if (DataType != type) throw new ModelFormatException($"tensor '{Name}' holds {DataType}, expected {type}.");
    }

    /// <summary>The size in bytes of one element, or a <see cref="ModelFormatException"/> for a type not read here.</summary>
    public static int ElementSize(OnnxDataType type, string tensor, string? source = null) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        OnnxDataType.Int64 or OnnxDataType.Double => 8,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        _ => throw new ModelFormatException($"{Prefix(source)}tensor '{tensor}' has data type {(int)type}, which RecurrentSharp does not read (float, double, int8/32/64, uint8, bool)."),
    };

    private static string Prefix(string? source) => source is null ? "" : source + ": ";

    /// <summary>The product of the dimensions, checked for negative sizes and overflow.</summary>
    public static long ElementCount(ReadOnlySpan<long> dims, string tensor, string? source = null)
    {
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new ModelFormatException($"{Prefix(source)}tensor '{tensor}' has a negative dimension {d}.");
            if (d != 0 && count > int.MaxValue / d) throw new ModelFormatException($"{Prefix(source)}tensor '{tensor}' declares more than {int.MaxValue} elements ({string.Join(" x ", dims.ToArray())}).");
            count *= d;
        }
        return count;
    }
}
