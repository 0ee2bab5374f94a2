using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Loss functions. Each returns a tensor that records its backward pass (written beside the forward),
/// so <c>loss.Backward()</c> fills the gradients; sums are accumulated in double.
/// </summary>
public static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy from logits, stable for any x (PyTorch's <c>binary_cross_entropy_with_logits</c>):
    /// <c>l = max(x, 0) − x·y + log(1 + e^−|x|)</c>, <c>dl/dx = σ(x) − y</c>, <c>dl/dy = −x</c>.
    /// Targets y may be soft (in [0, 1]).
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean, Tensor? mask = null) =>
        Elementwise("binary_cross_entropy_with_logits", logits, targets, mask, reduction,
            (x, y) => Math.Max(x, 0.0) - x * y + Math.Log(1 + Math.Exp(-Math.Abs(x))),
            (x, y) => Sigmoid(x) - y,
            (x, y) => -x);

    /// <summary>Mean squared error: <c>l = (x − y)²</c>, <c>dl/dx = 2(x − y)</c> (PyTorch's <c>mse_loss</c>).</summary>
    public static Tensor MeanSquaredError(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, Tensor? mask = null) =>
        Elementwise("mse_loss", input, target, mask, reduction,
            (x, y) => (x - y) * (x - y),
            (x, y) => 2 * (x - y),
            (x, y) => -2 * (x - y));

    /// <summary>Mean absolute error: <c>l = |x − y|</c>, <c>dl/dx = sign(x − y)</c> (0 at 0, as PyTorch's <c>l1_loss</c>).</summary>
    public static Tensor MeanAbsoluteError(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, Tensor? mask = null) =>
        Elementwise("l1_loss", input, target, mask, reduction,
            (x, y) => Math.Abs(x - y),
            (x, y) => Math.Sign(x - y),
            (x, y) => -Math.Sign(x - y));

    /// <summary>
    /// Huber loss (PyTorch's <c>huber_loss</c>, default δ = 1): with d = x − y,
    /// <c>l = d²/2</c> when |d| &lt; δ, else <c>δ·(|d| − δ/2)</c>; <c>dl/dx = clamp(d, −δ, δ)</c>.
    /// </summary>
    public static Tensor Huber(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean, Tensor? mask = null)
    {
        if (!(delta > 0)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber delta must be positive");
        return Elementwise("huber_loss", input, target, mask, reduction,
            (x, y) => Math.Abs(x - y) < delta ? 0.5 * (x - y) * (x - y) : delta * (Math.Abs(x - y) - 0.5 * delta),
            (x, y) => Math.Clamp(x - y, -delta, delta),
            (x, y) => -Math.Clamp(x - y, -delta, delta));
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>
    /// An element-wise loss l(x, y) with its partial derivatives, reduced over the counted elements (where
    /// <paramref name="mask"/>, broadcast to the input's shape, is non-zero; all when it is null).
    /// Mean divides by the number of counted elements.
    /// </summary>
    private static Tensor Elementwise(string operation, Tensor input, Tensor target, Tensor? mask, Reduction reduction,
        Func<double, double, double> loss, Func<double, double, double> dInput, Func<double, double, double> dTarget)
    {
        if (!TensorShape.SameAs(input.Shape, target.Shape))
            throw new TensorShapeException(operation, $"input {TensorShape.Format(input.Shape)} and target {TensorShape.Format(target.Shape)} differ");
        float[]? m = null;
        if (mask is not null)
        {
            var shape = input.GetShape();
            if (!TensorShape.SameAs(TensorShape.Broadcast(shape, mask.Shape, operation), shape))
                throw new TensorShapeException(operation, $"mask {TensorShape.Format(mask.Shape)} does not broadcast to the input {TensorShape.Format(input.Shape)}");
            m = mask.Expand(shape).ToArray();
        }
        var x = input.Data;
        var y = target.Data;
        int n = x.Length;
        double total = 0;
        int count = 0;
        Tensor result = reduction == Reduction.None ? Tensor.Zeros(input.GetShape()) : Tensor.Scalar(0f);
        for (int i = 0; i < n; i++)
        {
            if (m is not null && m[i] == 0f) continue;
            double l = loss(x[i], y[i]);
            if (reduction == Reduction.None) result.Data[i] = (float)l;
            total += l;
            count++;
        }
        if (reduction != Reduction.None)
            result.Data[0] = (float)(reduction == Reduction.Sum ? total : total / count);

        return GradNode.Record(operation, result, [input, target], g =>
        {
            Tensor? Gradient(Tensor of, Func<double, double, double> partial)
            {
                if (!of.RequiresGrad) return null;
                var dt = Tensor.Zeros(of.GetShape());
                var d = dt.Data;
                var gd = g.Data;
                var x = input.Data;
                var y = target.Data;
                for (int i = 0; i < n; i++)
                {
                    if (m is not null && m[i] == 0f) continue;
                    double scale = reduction switch
                    {
                        Reduction.None => gd[i],
                        Reduction.Sum => gd[0],
                        _ => gd[0] / (double)count,
                    };
                    d[i] = (float)(scale * partial(x[i], y[i]));
                }
                return dt;
            }
            return [Gradient(input, dInput), Gradient(target, dTarget)];
        });
    }
}
