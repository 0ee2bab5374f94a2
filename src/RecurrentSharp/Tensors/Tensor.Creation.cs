namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new((int[])shape.Clone());

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = new Tensor((int[])shape.Clone(), clear: false);
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A zero tensor with the shape of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => new(like.GetShape());

    /// <summary>A tensor of rank 0 holding one value.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>A tensor over a copy of <paramref name="values"/>; the shape defaults to one axis.</summary>
    public static Tensor FromArray(float[] values, params int[] shape) => FromSpan(values, shape);

    /// <summary>A tensor holding a copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> values, params int[] shape)
    {
        if (shape.Length == 0 && values.Length != 1) shape = [values.Length];
        long count = TensorShape.ElementCount(shape);
        if (count != values.Length)
            throw new TensorShapeException("FromArray", $"{values.Length} values do not fill shape {TensorShape.Format(shape)} ({count} elements)");
        var t = new Tensor((int[])shape.Clone(), clear: false);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>Wraps an existing array without copying; writes to either are seen by both.</summary>
    public static Tensor Wrap(float[] values, params int[] shape)
    {
        if (shape.Length == 0 && values.Length != 1) shape = [values.Length];
        if (TensorShape.ElementCount(shape) != values.Length)
            throw new TensorShapeException("Wrap", $"{values.Length} values do not fill shape {TensorShape.Format(shape)}");
        return new Tensor(values, 0, (int[])shape.Clone());
    }

    /// <summary>A 2-D tensor from a jagged array of rows (all of one length).</summary>
    public static Tensor FromRows(float[][] rows)
    {
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var t = new Tensor([rows.Length, cols], clear: false);
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != cols)
                throw new TensorShapeException("FromRows", $"row {r} has {rows[r].Length} values, row 0 has {cols}");
            rows[r].CopyTo(t.Data.Slice(r * cols, cols));
        }
        return t;
    }

    /// <summary>The values start, start+step, ... below end (like <c>torch.arange</c>).</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0) throw new ArgumentException("Arange: step must not be zero.");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var t = new Tensor([n], clear: false);
        var d = t.Data;
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return t;
    }

    /// <summary>The integers 0 .. n-1.</summary>
    public static Tensor Arange(int n) => Arange(0, n);

    /// <summary>Samples from a normal distribution N(mean, std^2).</summary>
    public static Tensor RandomNormal(RandomGenerator random, float mean, float std, params int[] shape)
    {
        var t = new Tensor((int[])shape.Clone(), clear: false);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * random.NextNormal());
        return t;
    }

    /// <summary>Samples from a uniform distribution on [low, high).</summary>
    public static Tensor RandomUniform(RandomGenerator random, float low, float high, params int[] shape)
    {
        var t = new Tensor((int[])shape.Clone(), clear: false);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * random.NextFloat();
        return t;
    }

    /// <summary>Marks this tensor as requiring a gradient and returns it (for fluent set-up).</summary>
    public Tensor WithGrad()
    {
        RequiresGrad = true;
        return this;
    }
}
