using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

public static partial class Losses
{
    /// <summary>PyTorch's default ignore index.</summary>
    public const int DefaultIgnoreIndex = -100;

    /// <summary>
    /// Cross-entropy between logits and integer class targets, with PyTorch's <c>F.cross_entropy</c>
    /// semantics for class weights, <c>ignore_index</c>, reductions and label smoothing. Classes are on the
    /// LAST axis: logits (N, C), or (T, B, C) / (B, T, C) for a sequence, with one target per position
    /// (N, or T·B in the same order). (PyTorch puts the class axis second for K-dimensional input.)
    /// </summary>
    /// <remarks>
    /// <para>For a counted position i with target y, log-probabilities log p_c = x_c − logsumexp(x)
    /// (computed stably: max + log Σ e^(x − max)), weights w (all 1 when none), ε = label smoothing:</para>
    /// <code>
    /// loss_i = (1 − ε) · (−w_y · log p_y) + (ε / C) · Σ_c (−w_c · log p_c)
    /// Sum:  Σ_i loss_i          Mean: Σ_i loss_i / Σ_i w_(y_i)  (the number of counted positions without weights)
    /// dloss_i/dx_c = (1 − ε) · w_y · (p_c − [c = y]) + (ε / C) · (p_c · Σ_k w_k − w_c)
    /// </code>
    /// <para>A position is counted unless its target equals <paramref name="ignoreIndex"/> or its
    /// <paramref name="mask"/> entry is 0 (padding). Uncounted positions have loss 0 and no gradient. A mean over
    /// no counted position is NaN, as in PyTorch.</para>
    /// </remarks>
    /// <param name="logits">Unnormalized scores, classes on the last axis.</param>
    /// <param name="targets">One class index per position, in row-major order of the leading axes.</param>
    /// <param name="weight">Optional per-class weights, shape (C).</param>
    /// <param name="ignoreIndex">A target value that marks a position as not counted.</param>
    /// <param name="reduction">None (shape of the leading axes), Mean or Sum.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="mask">Optional, shaped like the leading axes: non-zero where the position counts.</param>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, Tensor? weight = null, int ignoreIndex = DefaultIgnoreIndex,
        Reduction reduction = Reduction.Mean, double labelSmoothing = 0, Tensor? mask = null)
    {
        if (logits.Rank < 1) throw new TensorShapeException("CrossEntropy", "logits need a class axis");
        var leading = logits.GetShape()[..^1];
        int classes = logits.Size(-1);
        int rows = classes == 0 ? 0 : logits.Length / classes;
        if (classes == 0) throw new TensorShapeException("CrossEntropy", $"logits {TensorShape.Format(logits.Shape)} have no classes");
        if (targets.Length != rows)
            throw new TensorShapeException("CrossEntropy", $"{targets.Length} targets for logits {TensorShape.Format(logits.Shape)} ({rows} positions)");
        if (weight is not null && (weight.Rank != 1 || weight.Length != classes))
            throw new TensorShapeException("CrossEntropy", $"class weights {TensorShape.Format(weight.Shape)} do not match {classes} classes");
        if (mask is not null && !TensorShape.SameAs(mask.Shape, leading))
            throw new TensorShapeException("CrossEntropy", $"mask {TensorShape.Format(mask.Shape)} does not match the positions {TensorShape.Format(leading)}");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "label smoothing must be in [0, 1]");

        var target = targets.ToArray();
        var w = weight?.ToArray();
        var counted = new bool[rows];
        var m = mask?.ToArray();
        for (int i = 0; i < rows; i++)
        {
            counted[i] = target[i] != ignoreIndex && (m is null || m[i] != 0f);
            if (counted[i] && (uint)target[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(targets), target[i], $"target {target[i]} at position {i} is outside 0..{classes - 1}");
        }
        double smooth = labelSmoothing, keep = 1 - labelSmoothing;
        double weightSum = 0; // Σ_k w_k, for the smoothing term
        for (int c = 0; c < classes; c++) weightSum += w?[c] ?? 1.0;

        // ---- forward: per-position loss, and logsumexp kept for the backward pass
        var x = logits.Data;
        var logSumExp = new double[rows];
        var perPosition = new double[rows];
        double total = 0, denominator = 0;
        for (int i = 0; i < rows; i++)
        {
            if (!counted[i]) continue;
            var row = x.Slice(i * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            double sumExp = 0;
            foreach (float v in row) sumExp += Math.Exp(v - max);
            double lse = max + Math.Log(sumExp);                // logsumexp(x) = max + log Σ e^(x − max)
            logSumExp[i] = lse;
            int y = target[i];
            double wy = w?[y] ?? 1.0;
            double nll = -wy * (row[y] - lse);                  // −w_y log p_y
            double loss = keep * nll;
            if (smooth != 0)
            {
                double all = 0;
                for (int c = 0; c < classes; c++) all -= (w?[c] ?? 1.0) * (row[c] - lse); // Σ_c −w_c log p_c
                loss += smooth / classes * all;
            }
            perPosition[i] = loss;
            total += loss;
            denominator += wy;
        }

        Tensor result;
        if (reduction == Reduction.None)
        {
            result = Tensor.Zeros(leading);
            var r = result.Data;
            for (int i = 0; i < rows; i++) r[i] = (float)perPosition[i];
        }
        else
        {
            result = Tensor.Scalar((float)(reduction == Reduction.Sum ? total : total / denominator));
        }

        return GradNode.Record("cross_entropy", result, [logits], g =>
        {
            var dx = Tensor.Zeros(logits.GetShape());
            var d = dx.Data;
            var gd = g.Data;
            var x = logits.Data;
            for (int i = 0; i < rows; i++)
            {
                if (!counted[i]) continue;
                double scale = reduction switch
                {
                    Reduction.None => gd[i],
                    Reduction.Sum => gd[0],
                    _ => gd[0] / denominator,
                };
                var row = x.Slice(i * classes, classes);
                var drow = d.Slice(i * classes, classes);
                int y = target[i];
                double wy = w?[y] ?? 1.0;
                for (int c = 0; c < classes; c++)
                {
                    double p = Math.Exp(row[c] - logSumExp[i]);
                    double grad = keep * wy * (p - (c == y ? 1 : 0));          // (1 − ε) w_y (p_c − [c = y])
                    if (smooth != 0) grad += smooth / classes * (p * weightSum - (w?[c] ?? 1.0)); // (ε/C)(p_c Σw − w_c)
                    drow[c] = (float)(scale * grad);
                }
            }
            return [dx];
        });
    }
}
