namespace RecurrentSharp.Formats.Safetensors;

/// <summary>
/// One tensor read from a safetensors file: its name, dtype, shape and values (held in an array of the
/// file's own element type: <c>float[]</c>, <c>double[]</c>, <c>int[]</c> or <c>long[]</c>).
/// </summary>
/// <remarks>
/// The conversions below never narrow silently: float64 becomes float32 only when asked to, and
/// int64 becomes int32 only when every value fits.
/// </remarks>
public sealed class SafetensorsTensor
{
    private readonly int[] shape;
    private readonly Array values;

    internal SafetensorsTensor(string source, string name, SafetensorsDType dtype, int[] shape, Array values)
    {
        Source = source;
        Name = name;
        DType = dtype;
        this.shape = shape;
        this.values = values;
    }

    /// <summary>The file (or other source) the tensor came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The tensor's name in the header.</summary>
    public string Name { get; }

    /// <summary>The element type stored in the file.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The sizes of the axes (empty for a scalar).</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>A copy of the shape.</summary>
    public int[] GetShape() => (int[])shape.Clone();

    /// <summary>The number of elements (1 for a scalar).</summary>
    public int ElementCount => values.Length;

    /// <summary>
    /// The values as float32. A float64 tensor is rounded to float32 only when
    /// <paramref name="convertFloat64"/> is true; integer tensors are refused.
    /// </summary>
    public float[] ToFloat32Array(bool convertFloat64 = false)
    {
        switch (values)
        {
            case float[] f:
                return (float[])f.Clone();
            case double[] d when convertFloat64:
                var result = new float[d.Length];
                for (int i = 0; i < d.Length; i++) result[i] = (float)d[i];
                return result;
            case double[]:
                throw new ModelFormatException($"{Source}: tensor '{Name}' is F64; pass convertFloat64: true to round it to float32.");
            default:
                throw new ModelFormatException($"{Source}: tensor '{Name}' is {DType}, not a floating-point tensor.");
        }
    }


    /// <summary>The values as float64 (F32 and F64 tensors).</summary>
    public double[] ToFloat64Array() => values switch
    {
        double[] d => (double[])d.Clone(),
        float[] f => Array.ConvertAll(f, v => (double)v),
        _ => throw new ModelFormatException($"{Source}: tensor '{Name}' is {DType}, not a floating-point tensor."),
    };

    /// <summary>The values as int64 (I64 and I32 tensors).</summary>
    public long[] ToInt64Array() => values switch
    {
        long[] l => (long[])l.Clone(),
        int[] i => Array.ConvertAll(i, v => (long)v),
        _ => throw new ModelFormatException($"{Source}: tensor '{Name}' is {DType}, not an integer tensor."),
    };

    /// <summary>The values as int32 (I32 tensors, and I64 tensors whose values all fit).</summary>
    public int[] ToInt32Array()
    {
        switch (values)
        {
            case int[] i:
                return (int[])i.Clone();
            case long[] l:
                var result = new int[l.Length];
                for (int k = 0; k < l.Length; k++)
                {
                    if (l[k] < int.MinValue || l[k] > int.MaxValue)
                        throw new ModelFormatException($"{Source}: tensor '{Name}' element {k} = {l[k]} does not fit in int32.");
                    result[k] = (int)l[k];
                }
                return result;
            default:
                throw new ModelFormatException($"{Source}: tensor '{Name}' is {DType}, not an integer tensor.");
        }
    }

    /// <summary>The raw values in the file's element type, without copying (do not modify).</summary>
    internal Array RawValues => values;
}
