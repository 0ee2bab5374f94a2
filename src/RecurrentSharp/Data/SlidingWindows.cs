using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Data;

/// <summary>
/// Forecasting examples cut from a series: each holds <see cref="WindowLength"/> past values as input
/// and the next <see cref="Horizon"/> values as targets.
/// </summary>
public sealed class WindowSet
{
    internal WindowSet(float[] inputs, float[] targets, int[] targetStarts, int windowLength, int horizon)
    {
        Inputs = inputs;
        Targets = targets;
        TargetStarts = targetStarts;
        WindowLength = windowLength;
        Horizon = horizon;
    }

    /// <summary>The number of examples.</summary>
    public int Count => TargetStarts.Length;

    /// <summary>Input steps per example.</summary>
    public int WindowLength { get; }

    /// <summary>Target steps per example (1 for one-step-ahead forecasting).</summary>
    public int Horizon { get; }

    /// <summary>Count × WindowLength input values, example after example.</summary>
    public float[] Inputs { get; }

    /// <summary>Count × Horizon target values, example after example.</summary>
    public float[] Targets { get; }

    /// <summary>The series index of each example's first target (its inputs are the WindowLength values before it).</summary>
    public int[] TargetStarts { get; }

    /// <summary>The inputs of the examples at <paramref name="indices"/>: (batch, window, 1) or (window, batch, 1).</summary>
    public Tensor InputBatch(ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = indices.Length;
        var result = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, WindowLength, 1) : Tensor.Zeros(WindowLength, batch, 1);
        var data = result.Data;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < WindowLength; t++)
                data[layout == SequenceLayout.BatchFirst ? b * WindowLength + t : t * batch + b] = Inputs[indices[b] * WindowLength + t];
        return result;
    }

    /// <summary>The targets of the examples at <paramref name="indices"/>: (batch, horizon).</summary>
    public Tensor TargetBatch(ReadOnlySpan<int> indices)
    {
        var result = Tensor.Zeros(indices.Length, Horizon);
        var data = result.Data;
        for (int b = 0; b < indices.Length; b++)
            Targets.AsSpan(indices[b] * Horizon, Horizon).CopyTo(data.Slice(b * Horizon, Horizon));
        return result;
    }
}

/// <summary>Cuts a series into forecasting windows, and splits it in time.</summary>
public static class SlidingWindows
{
    /// <summary>
    /// The first index of the evaluation part when the last <paramref name="evaluateFraction"/> of a
    /// series of <paramref name="length"/> values is held out (e.g. 1/3: 144 → 96, so 48 values are evaluated).
    /// </summary>
    public static int SplitPoint(int length, double evaluateFraction)
    {
        if (!(evaluateFraction > 0 && evaluateFraction < 1)) throw new ArgumentOutOfRangeException(nameof(evaluateFraction), $"must be in (0, 1), got {evaluateFraction}");
        return length - (int)Math.Round(length * evaluateFraction, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Every window (stride 1) whose <paramref name="horizon"/> targets all lie in
    /// [<paramref name="firstTarget"/>, <paramref name="endTarget"/>): example k has targets
    /// series[s, s + horizon) and inputs series[s − windowLength, s) for s = max(firstTarget, windowLength) + k.
    /// For evaluation windows (firstTarget = the split point) the inputs may reach back into the
    /// training part, as they would when forecasting live; the targets never do.
    /// </summary>
    public static WindowSet Create(ReadOnlySpan<float> series, int windowLength, int horizon, int firstTarget, int endTarget)
    {
        if (windowLength < 1) throw new ArgumentOutOfRangeException(nameof(windowLength), "must be at least 1");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), "must be at least 1");
        if (firstTarget < 0 || endTarget > series.Length || firstTarget > endTarget)
            throw new ArgumentOutOfRangeException(nameof(firstTarget), $"target range [{firstTarget}, {endTarget}) is not inside the series of {series.Length} values");
        int first = Math.Max(firstTarget, windowLength);
        int count = Math.Max(0, endTarget - horizon - first + 1);
        var inputs = new float[count * windowLength];
        var targets = new float[count * horizon];
        var starts = new int[count];
        for (int k = 0; k < count; k++)
        {
            int s = first + k;
            starts[k] = s;
            series.Slice(s - windowLength, windowLength).CopyTo(inputs.AsSpan(k * windowLength, windowLength));
            series.Slice(s, horizon).CopyTo(targets.AsSpan(k * horizon, horizon));
        }
        return new WindowSet(inputs, targets, starts, windowLength, horizon);
    }
}
