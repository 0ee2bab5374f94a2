using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>An element-wise function y = f(x) whose derivative is computed from x, y and dL/dy.</summary>
    private delegate void ElementBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    private Tensor ElementWise(string operation, SpanUnary forward, ElementBackward backward)
    {
        var x = this;
        var y = Map(forward);
        return GradNode.Record(operation, y, [x], g =>
        {
            var dx = new Tensor(x.GetShape(), clear: false);
            backward(x.Data, y.Data, g.Data, dx.Data);
            return [dx];
        });
    }

    /// <summary>e^x.</summary>
    public Tensor Exp() => ElementWise("exp", TensorPrimitives.Exp,
        // dy/dx = e^x = y
        (x, y, dy, dx) => TensorPrimitives.Multiply(dy, y, dx));

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => ElementWise("log", TensorPrimitives.Log,
        // dy/dx = 1/x
        (x, y, dy, dx) => TensorPrimitives.Divide(dy, x, dx));

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => ElementWise("tanh", TensorPrimitives.Tanh,
        // dy/dx = 1 - y²
        (x, y, dy, dx) => ActivationGradients.Tanh(y, dy, dx));

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => ElementWise("sigmoid", TensorPrimitives.Sigmoid,
        // dy/dx = y (1 - y)
        (x, y, dy, dx) => ActivationGradients.Sigmoid(y, dy, dx));

    /// <summary>max(0, x).</summary>
    public Tensor Relu() => ElementWise("relu", (x, y) => TensorPrimitives.Max(x, 0f, y),
        // dy/dx = 1 where x > 0, else 0
        (x, y, dy, dx) =>
        {
            for (int i = 0; i < dx.Length; i++) dx[i] = x[i] > 0f ? dy[i] : 0f;
        });

    /// <summary>Limits every element to [min, max]; the gradient passes where min &lt;= x &lt;= max.</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} is greater than max {max}.");
        return ElementWise("clamp", (x, y) => TensorPrimitives.Clamp(x, min, max, y),
            (x, y, dy, dx) =>
            {
                for (int i = 0; i < dx.Length; i++) dx[i] = x[i] >= min && x[i] <= max ? dy[i] : 0f;
            });
    }

    /// <summary>Softmax along an axis: e^x / Σ e^x, computed stably (the maximum is subtracted first).</summary>
    public Tensor Softmax(int axis = -1)
    {
        int a = NormalizeAxis(axis, "Softmax");
        if (a != Rank - 1) return Transpose(a, -1).Softmax(-1).Transpose(a, -1);
        var x = this;
        var y = new Tensor(GetShape(), clear: false);
        int n = shape[^1];
        for (int start = 0; start < Length; start += n)
            SoftmaxRow(x.Data.Slice(start, n), y.Data.Slice(start, n));
        return GradNode.Record("softmax", y, [x], g =>
        {
            // dx_i = y_i (g_i - Σ_j g_j y_j)
            var dx = new Tensor(x.GetShape(), clear: false);
            for (int start = 0; start < dx.Length; start += n)
            {
                var yr = y.Data.Slice(start, n);
                var gr = g.Data.Slice(start, n);
                var dr = dx.Data.Slice(start, n);
                float dot = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, dot, dr);
                TensorPrimitives.Multiply(dr, yr, dr);
            }
            return [dx];
        });
    }

    /// <summary>log(softmax(x)) along an axis, computed as x - max - log Σ e^(x - max).</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        int a = NormalizeAxis(axis, "LogSoftmax");
        if (a != Rank - 1) return Transpose(a, -1).LogSoftmax(-1).Transpose(a, -1);
        var x = this;
        var y = new Tensor(GetShape(), clear: false);
        int n = shape[^1];
        for (int start = 0; start < Length; start += n)
            LogSoftmaxRow(x.Data.Slice(start, n), y.Data.Slice(start, n));
        return GradNode.Record("log_softmax", y, [x], g =>
        {
            // dx_i = g_i - softmax_i Σ_j g_j, with softmax = e^y
            var dx = new Tensor(x.GetShape(), clear: false);
            for (int start = 0; start < dx.Length; start += n)
            {
                var yr = y.Data.Slice(start, n);
                var gr = g.Data.Slice(start, n);
                var dr = dx.Data.Slice(start, n);
                float total = TensorPrimitives.Sum(gr);
                TensorPrimitives.Exp(yr, dr);
                TensorPrimitives.Multiply(dr, -total, dr);
                TensorPrimitives.Add(dr, gr, dr);
            }
            return [dx];
        });
    }

    /// <summary>One row of softmax: y = e^(x - max) / Σ e^(x - max) (subtracting the max keeps e^ from overflowing).</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
    }

    /// <summary>One row of log-softmax: y = x - (max + log Σ e^(x - max)).</summary>
    internal static void LogSoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        double sum = 0;
        foreach (float v in y) sum += MathF.Exp(v);
        TensorPrimitives.Subtract(y, (float)Math.Log(sum), y);
    }
}
