using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Gradient clipping, the classic remedy for exploding gradients in recurrent networks: rescale all
/// gradients together when their global norm is too large (<see cref="ClipGradNorm"/>), or clamp each
/// element (<see cref="ClipGradValue"/>). PyTorch's <c>clip_grad_norm_</c> and <c>clip_grad_value_</c>.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by <c>min(1, max_norm / (total_norm + 1e-6))</c>, where total_norm is the p-norm of
    /// all gradients taken together (as if concatenated); returns total_norm before clipping. Parameters
    /// without a gradient are skipped. A NaN or infinite norm is returned as is (and, as in PyTorch, scales
    /// the gradients by NaN or 0) unless <paramref name="errorIfNonfinite"/>, which throws instead.
    /// </summary>
    /// <param name="parameters">The parameters whose <see cref="Tensor.Grad"/> are clipped in place.</param>
    /// <param name="maxNorm">The largest norm allowed.</param>
    /// <param name="normType">p of the p-norm: 2 by default, any p &gt; 0, or <see cref="double.PositiveInfinity"/> for the max-abs norm.</param>
    /// <param name="errorIfNonfinite">Throw when the total norm is NaN or infinite.</param>
    public static float ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0, bool errorIfNonfinite = false)
    {
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), normType, "The norm type must be positive (or infinity).");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0f;

        // total = (Σ_tensors ‖g‖_p^p)^(1/p) = (Σ_elements |g|^p)^(1/p), accumulated in double; max |g| for p = ∞.
        double total;
        if (double.IsPositiveInfinity(normType))
        {
            total = 0;
            foreach (var g in grads)
                foreach (float v in g.Data)
                {
                    double a = Math.Abs((double)v);
                    if (a > total || double.IsNaN(a)) total = a;
                    if (double.IsNaN(total)) break;
                }
        }
        else
        {
            double sum = 0;
            foreach (var g in grads)
                foreach (float v in g.Data)
                    sum += normType == 2.0 ? (double)v * v : Math.Pow(Math.Abs((double)v), normType);
            total = normType == 2.0 ? Math.Sqrt(sum) : Math.Pow(sum, 1 / normType);
        }
        float totalNorm = (float)total;
        if (errorIfNonfinite && !float.IsFinite(totalNorm))
            throw new ArithmeticException($"The total norm of order {normType} of the gradients is {totalNorm}; they cannot be clipped.");

        // PyTorch: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1, in float32.
        float coefficient = (float)maxNorm / (totalNorm + 1e-6f);
        if (!(coefficient >= 1f))
            foreach (var g in grads)
            {
                var d = g.Data;
                for (int i = 0; i < d.Length; i++) d[i] *= coefficient;
            }
        return totalNorm;
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] in place.</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        float c = (float)clipValue;
        if (!(c >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must be >= 0.");
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            var d = g.Data;
            for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(d[i], -c, c);
        }
    }
}
