namespace RecurrentSharp.Training;

/// <summary>
/// Linear warm-up (or decay) of the lr factor from <see cref="StartFactor"/> to <see cref="EndFactor"/> over
/// <see cref="TotalIters"/> epochs, then constant (PyTorch's <c>LinearLR</c>):
/// <c>lr(e) = lr0 · (start + (end − start) · min(e, total) / total)</c>.
/// </summary>
public sealed class LinearLR : LearningRateScheduler
{
    /// <summary>Creates the schedule with PyTorch's defaults (start 1/3, end 1, 5 epochs).</summary>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "start_factor must be in (0, 1].");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "end_factor must be in [0, 1].");
        if (totalIters <= 0) throw new ArgumentOutOfRangeException(nameof(totalIters), totalIters, "total_iters must be positive.");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Apply();
    }

    /// <summary>The lr factor at epoch 0.</summary>
    public double StartFactor { get; }

    /// <summary>The lr factor from epoch <see cref="TotalIters"/> on.</summary>
    public double EndFactor { get; }

    /// <summary>The length of the ramp in epochs.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch) =>
        BaseLearningRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(epoch, TotalIters) / TotalIters);
}
