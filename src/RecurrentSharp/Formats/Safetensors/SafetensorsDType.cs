namespace RecurrentSharp.Formats.Safetensors;

/// <summary>The element types RecurrentSharp reads and writes in safetensors files.</summary>
/// <remarks>
/// The safetensors format knows more (F16, BF16, I8, U8, BOOL, ...); a file using any other dtype is
/// rejected with a <see cref="ModelFormatException"/> that names the tensor and the dtype.
/// </remarks>
public enum SafetensorsDType
{
    /// <summary>IEEE float32 (<c>"F32"</c>).</summary>
    F32,

    /// <summary>IEEE float64 (<c>"F64"</c>).</summary>
    F64,

    /// <summary>Signed 32-bit integer (<c>"I32"</c>).</summary>
    I32,

    /// <summary>Signed 64-bit integer (<c>"I64"</c>).</summary>
    I64,
}

/// <summary>Sizes and header names of <see cref="SafetensorsDType"/> values.</summary>
public static class SafetensorsDTypes
{
    /// <summary>The size of one element in bytes.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The dtype as spelled in the JSON header (<c>"F32"</c>, ...).</summary>
    public static string HeaderName(this SafetensorsDType dtype) => dtype.ToString();

    /// <summary>Parses a header dtype; false for dtypes this library does not handle.</summary>
    public static bool TryParse(string? name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "I32": dtype = SafetensorsDType.I32; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            default: dtype = default; return false;
        }
    }
}
