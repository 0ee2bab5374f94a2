using System.Numerics.Tensors;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    private delegate void SpanBinary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);
    private delegate void SpanUnary(ReadOnlySpan<float> x, Span<float> destination);

    // ---------------------------------------------------------------- element-wise binary ops with broadcasting

    /// <summary>a + b, broadcasting like numpy and PyTorch.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var result = Broadcasted(a, b, "Add", TensorPrimitives.Add);
        // d(a+b)/da = 1, d(a+b)/db = 1 (summed over broadcast axes)
        return GradNode.Record("add", result, [a, b], g => [SumTo(g, a), SumTo(g, b)]);
    }

    /// <summary>a - b, broadcasting.</summary>
    public static Tensor Subtract(Tensor a, Tensor b)
    {
        var result = Broadcasted(a, b, "Subtract", TensorPrimitives.Subtract);
        return GradNode.Record("sub", result, [a, b], g => [SumTo(g, a), b.RequiresGrad ? SumTo(Negate(g), b) : null]);
    }

    /// <summary>a * b element-wise, broadcasting.</summary>
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        var result = Broadcasted(a, b, "Multiply", TensorPrimitives.Multiply);
        // d(ab)/da = b, d(ab)/db = a
        return GradNode.Record("mul", result, [a, b], g =>
        [
            a.RequiresGrad ? SumTo(Multiply(g, b), a) : null,
            b.RequiresGrad ? SumTo(Multiply(g, a), b) : null,
        ]);
    }

    /// <summary>a / b element-wise, broadcasting.</summary>
    public static Tensor Divide(Tensor a, Tensor b)
    {
        var result = Broadcasted(a, b, "Divide", TensorPrimitives.Divide);
        // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
        return GradNode.Record("div", result, [a, b], g =>
        [
            a.RequiresGrad ? SumTo(Divide(g, b), a) : null,
            b.RequiresGrad ? SumTo(Negate(Divide(Multiply(g, result), b)), b) : null,
        ]);
    }

    /// <summary>Element-wise maximum of a and b, broadcasting; the gradient goes to the larger (to a on ties).</summary>
    public static Tensor Maximum(Tensor a, Tensor b)
    {
        var result = Broadcasted(a, b, "Maximum", TensorPrimitives.Max);
        return GradNode.Record("maximum", result, [a, b], g =>
        {
            var ea = a.Expand(result.ShapeArray).Data;
            var eb = b.Expand(result.ShapeArray).Data;
            var ga = new Tensor(result.GetShape());
            var gb = new Tensor(result.GetShape());
            var gd = g.Data;
            for (int i = 0; i < gd.Length; i++)
            {
                if (ea[i] >= eb[i]) ga.Data[i] = gd[i];
                else gb.Data[i] = gd[i];
            }
            return [SumTo(ga, a), SumTo(gb, b)];
        });
    }

    /// <summary>Computes an element-wise binary kernel over the broadcast of two shapes.</summary>
    private static Tensor Broadcasted(Tensor a, Tensor b, string operation, SpanBinary kernel)
    {
        if (TensorShape.SameAs(a.shape, b.shape))
        {
            var same = new Tensor(a.GetShape(), clear: false);
            kernel(a.Data, b.Data, same.Data);
            return same;
        }
        int[] outShape = TensorShape.Broadcast(a.shape, b.shape, operation);
        var result = new Tensor(outShape, clear: false);
        var o = result.Data;
        if (TensorShape.SameAs(outShape, a.shape) && IsTrailingBlock(b, outShape))
        {
            // b repeats along the leading axes of a: apply the kernel row by row.
            var bd = b.Data;
            var ad = a.Data;
            for (int start = 0; start < o.Length; start += bd.Length)
                kernel(ad.Slice(start, bd.Length), bd, o.Slice(start, bd.Length));
            return result;
        }
        if (TensorShape.SameAs(outShape, b.shape) && IsTrailingBlock(a, outShape))
        {
            var ad = a.Data;
            var bd = b.Data;
            for (int start = 0; start < o.Length; start += ad.Length)
                kernel(ad, bd.Slice(start, ad.Length), o.Slice(start, ad.Length));
            return result;
        }
        kernel(a.Expand(outShape).Data, b.Expand(outShape).Data, o);
        return result;
    }

    /// <summary>True when t's shape, without leading 1s, equals the trailing axes of <paramref name="outShape"/>.</summary>
    private static bool IsTrailingBlock(Tensor t, int[] outShape) => IsTrailingBlock(t.shape, outShape);

    private static bool IsTrailingBlock(ReadOnlySpan<int> s, int[] outShape)
    {
        while (s.Length > 0 && s[0] == 1) s = s[1..];
        if (s.Length > outShape.Length) return false;
        return s.SequenceEqual(outShape.AsSpan(outShape.Length - s.Length));
    }

    /// <summary>Sums a gradient over the axes along which <paramref name="target"/> was broadcast, giving target's shape.</summary>
    internal static Tensor? SumTo(Tensor? gradient, Tensor target)
    {
        if (gradient is null || !target.RequiresGrad) return null;
        return SumToShape(gradient, target.shape);
    }

    /// <summary>Sums <paramref name="g"/> down to <paramref name="shape"/> (the inverse of broadcasting).</summary>
    internal static Tensor SumToShape(Tensor g, int[] shape)
    {
        if (TensorShape.SameAs(g.shape, shape)) return g;
        var result = new Tensor((int[])shape.Clone());
        var r = result.Data;
        var gd = g.Data;
        if (IsTrailingBlock(shape, g.shape))
        {
            for (int start = 0; start < gd.Length; start += r.Length)
                TensorPrimitives.Add(r, gd.Slice(start, r.Length), r);
            return result;
        }
        // General case: map each element of g to the element of the target it was broadcast from.
        int rank = g.shape.Length;
        var targetStrides = new int[rank];
        var padded = new int[rank];
        int shift = rank - shape.Length;
        for (int i = 0; i < rank; i++) padded[i] = i < shift ? 1 : shape[i - shift];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            targetStrides[i] = padded[i] == 1 ? 0 : stride;
            stride *= padded[i];
        }
        var index = new int[rank];
        int targetOffset = 0;
        for (int flat = 0; flat < gd.Length; flat++)
        {
            r[targetOffset] += gd[flat];
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                targetOffset += targetStrides[axis];
                if (index[axis] < g.shape[axis]) break;
                targetOffset -= targetStrides[axis] * index[axis];
                index[axis] = 0;
            }
        }
        return result;
    }

    /// <summary>Copies this tensor broadcast to a larger shape (materialized; not differentiable on its own).</summary>
    internal Tensor Expand(int[] outShape)
    {
        if (TensorShape.SameAs(shape, outShape)) return this;
        TensorShape.Broadcast(shape, outShape, "Expand");
        var result = new Tensor((int[])outShape.Clone(), clear: false);
        var o = result.Data;
        var src = Data;
        int rank = outShape.Length;
        int shift = rank - shape.Length;
        var srcStrides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int d = i < shift ? 1 : shape[i - shift];
            srcStrides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        var index = new int[rank];
        int srcOffset = 0;
        for (int flat = 0; flat < o.Length; flat++)
        {
            o[flat] = src[srcOffset];
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                index[axis]++;
                srcOffset += srcStrides[axis];
                if (index[axis] < outShape[axis]) break;
                srcOffset -= srcStrides[axis] * index[axis];
                index[axis] = 0;
            }
        }
        return result;
    }

    /// <summary>Broadcasts to a larger shape (differentiable: the gradient is summed back).</summary>
    public Tensor BroadcastTo(params int[] outShape)
    {
        var result = Expand(outShape);
        if (ReferenceEquals(result, this)) return this;
        var self = this;
        return GradNode.Record("broadcast", result, [this], g => [SumToShape(g, self.shape)]);
    }

    // ---------------------------------------------------------------- scalar ops

    /// <summary>x + s for every element.</summary>
    public static Tensor AddScalar(Tensor x, float s)
    {
        var result = x.Map((src, dst) => TensorPrimitives.Add(src, s, dst));
        return GradNode.Record("add_scalar", result, [x], g => [g]);
    }

    /// <summary>x * s for every element.</summary>
    public static Tensor MultiplyScalar(Tensor x, float s)
    {
        var result = x.Map((src, dst) => TensorPrimitives.Multiply(src, s, dst));
        return GradNode.Record("mul_scalar", result, [x], g => [MultiplyScalar(g, s)]);
    }

    /// <summary>s - x for every element.</summary>
    public static Tensor ScalarSubtract(float s, Tensor x)
    {
        var result = x.Map((src, dst) => TensorPrimitives.Subtract(s, src, dst));
        return GradNode.Record("rsub_scalar", result, [x], g => [Negate(g)]);
    }

    /// <summary>s / x for every element.</summary>
    public static Tensor ScalarDivide(float s, Tensor x)
    {
        var result = x.Map((src, dst) => TensorPrimitives.Divide(s, src, dst));
        // d(s/x)/dx = -s/x^2 = -result/x
        return GradNode.Record("rdiv_scalar", result, [x], g => [Negate(Divide(Multiply(g, result), x))]);
    }

    /// <summary>-x.</summary>
    public static Tensor Negate(Tensor x)
    {
        var result = x.Map(TensorPrimitives.Negate);
        return GradNode.Record("neg", result, [x], g => [Negate(g)]);
    }

    /// <summary>x squared, element-wise.</summary>
    public Tensor Square()
    {
        var x = this;
        var result = Map((src, dst) => TensorPrimitives.Multiply(src, src, dst));
        // d(x^2)/dx = 2x
        return GradNode.Record("square", result, [x], g => [Multiply(g, MultiplyScalar(x, 2f))]);
    }

    /// <summary>Square root, element-wise.</summary>
    public Tensor Sqrt()
    {
        var result = Map(TensorPrimitives.Sqrt);
        // d sqrt(x)/dx = 1 / (2 sqrt(x))
        return GradNode.Record("sqrt", result, [this], g => [Divide(g, MultiplyScalar(result, 2f))]);
    }

    /// <summary>Absolute value, element-wise (gradient sign(x), 0 at 0).</summary>
    public Tensor Abs()
    {
        var x = this;
        var result = Map(TensorPrimitives.Abs);
        return GradNode.Record("abs", result, [x], g =>
        {
            var dx = new Tensor(x.GetShape(), clear: false);
            var xd = x.Data; var gd = g.Data; var d = dx.Data;
            for (int i = 0; i < d.Length; i++) d[i] = xd[i] > 0 ? gd[i] : xd[i] < 0 ? -gd[i] : 0f;
            return [dx];
        });
    }

    /// <summary>x raised to a constant power, element-wise.</summary>
    public Tensor Pow(float exponent)
    {
        var x = this;
        var result = Map((src, dst) => TensorPrimitives.Pow(src, exponent, dst));
        // d x^p / dx = p x^(p-1)
        return GradNode.Record("pow", result, [x], g => [Multiply(g, MultiplyScalar(x.Pow(exponent - 1), exponent))]);
    }

    /// <summary>Applies a span kernel to a fresh tensor of the same shape.</summary>
    private Tensor Map(SpanUnary kernel)
    {
        var result = new Tensor(GetShape(), clear: false);
        kernel(Data, result.Data);
        return result;
    }

    /// <summary>A copy of the data (differentiable: the gradient passes through).</summary>
    public Tensor Clone()
    {
        var result = new Tensor(GetShape(), clear: false);
        Data.CopyTo(result.Data);
        return GradNode.Record("clone", result, [this], g => [g]);
    }

    // ---------------------------------------------------------------- operators

    /// <summary>Element-wise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>Element-wise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Subtract(a, b);
    /// <summary>Element-wise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Multiply(a, b);
    /// <summary>Element-wise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Divide(a, b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, float s) => AddScalar(a, s);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(float s, Tensor a) => AddScalar(a, s);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, float s) => AddScalar(a, -s);
    /// <summary>Subtracts from a scalar.</summary>
    public static Tensor operator -(float s, Tensor a) => ScalarSubtract(s, a);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, float s) => MultiplyScalar(a, s);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(float s, Tensor a) => MultiplyScalar(a, s);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, float s) => MultiplyScalar(a, 1f / s);
    /// <summary>Divides a scalar by each element.</summary>
    public static Tensor operator /(float s, Tensor a) => ScalarDivide(s, a);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => Negate(a);
}
