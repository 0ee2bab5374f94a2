namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// A typed graph input or output (ValueInfoProto: name 1, type 2; TypeProto.tensor_type 1 with elem_type 1 and
/// shape 2; TensorShapeProto.dim 1 with dim_value 1 or dim_param 2).
/// </summary>
/// <param name="Name">The value's name.</param>
/// <param name="ElementType">The tensor element type.</param>
/// <param name="Shape">The dimensions, or null when the rank is unknown.</param>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDimension>? Shape);

/// <summary>One dimension of a declared shape: a fixed size, or a symbolic name such as "batch" (or neither: unknown).</summary>
/// <param name="Value">The fixed size, or null.</param>
/// <param name="Param">The symbolic name, or null.</param>
public sealed record OnnxDimension(long? Value, string? Param)
{
    /// <summary>A fixed size.</summary>
    public static OnnxDimension Of(long value) => new(value, null);

    /// <summary>A named, dynamic size.</summary>
    public static OnnxDimension Named(string name) => new(null, name);
}
