namespace RecurrentSharp.Tensors;

/// <summary>
/// Compares the gradients that backward computes with central finite differences, the standard test
/// of a hand-written chain rule. The function's outputs are projected onto fixed random weights r, giving
/// the scalar L = Σ r·y accumulated in double; each input element is nudged by ±h and
/// (L(x+h) - L(x-h)) / 2h, formed in double, is compared with the analytic dL/dx.
/// </summary>
public static class GradientCheck
{
    /// <summary>The largest disagreement found for one input.</summary>
    /// <param name="Input">Index of the input tensor.</param>
    /// <param name="MaxAbsoluteError">max |analytic - numeric| over the input's elements.</param>
    /// <param name="MaxReference">max |numeric| over the input's elements (the scale of the gradient).</param>
    /// <param name="WorstElement">Flat index of the worst element.</param>
    public readonly record struct InputReport(int Input, double MaxAbsoluteError, double MaxReference, int WorstElement)
    {
        /// <summary>Error relative to the gradient's scale (at least 1e-2 in the denominator, so near-zero gradients are judged absolutely).</summary>
        public double RelativeError => MaxAbsoluteError / Math.Max(MaxReference, 1e-2);
    }

    /// <summary>
    /// Checks every input that requires a gradient. <paramref name="function"/> must recompute its outputs
    /// from the current values of <paramref name="inputs"/> each time it is called (and use no fresh randomness).
    /// </summary>
    public static InputReport[] Check(Func<IReadOnlyList<Tensor>> function, IReadOnlyList<Tensor> inputs, RandomGenerator random, float step = 1e-3f)
    {
        var outputs = function();
        var weights = outputs.Select(o => Tensor.RandomNormal(random, 0f, 1f, o.GetShape())).ToArray();

        // Analytic: backward of L = Σ_k Σ r_k y_k, seeded with r_k for each output k.
        foreach (var t in inputs) t.ZeroGrad();
        Tensor? total = null;
        for (int k = 0; k < outputs.Count; k++)
        {
            if (!outputs[k].RequiresGrad) continue;
            var term = (outputs[k] * weights[k]).Sum();
            total = total is null ? term : total + term;
        }
        if (total is null) throw new InvalidOperationException("GradientCheck: no output depends on an input that requires a gradient.");
        total.Backward();

        var reports = new List<InputReport>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i];
            if (!x.RequiresGrad || !x.IsLeaf) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Length];
            var data = x.Data;
            double worst = 0, reference = 0;
            int worstIndex = -1;
            for (int e = 0; e < data.Length; e++)
            {
                float original = data[e];
                data[e] = original + step;
                double plus = Project(function, weights);
                data[e] = original - step;
                double minus = Project(function, weights);
                data[e] = original;
                // The step actually taken in float32 may differ slightly from the nominal one.
                double h2 = (double)(original + step) - (double)(original - step);
                double numeric = (plus - minus) / h2;
                double error = Math.Abs(numeric - analytic[e]);
                reference = Math.Max(reference, Math.Abs(numeric));
                if (error > worst || worstIndex < 0) { worst = error; worstIndex = e; }
            }
            reports.Add(new InputReport(i, worst, reference, worstIndex));
        }
        return [.. reports];
    }

    /// <summary>Checks a single-output function.</summary>
    public static InputReport[] Check(Func<Tensor> function, IReadOnlyList<Tensor> inputs, RandomGenerator random, float step = 1e-3f)
        => Check(() => [function()], inputs, random, step);

    private static double Project(Func<IReadOnlyList<Tensor>> function, Tensor[] weights)
    {
        using var noGrad = new NoGradScope();
        var outputs = function();
        double sum = 0;
        for (int k = 0; k < outputs.Count; k++)
        {
            var y = outputs[k].Data;
            var r = weights[k].Data;
            for (int j = 0; j < y.Length; j++) sum += (double)y[j] * r[j];
        }
        return sum;
    }
}
