namespace RecurrentSharp.Training;

/// <summary>
/// Cosine annealing from lr0 to η_min over <see cref="TMax"/> epochs (PyTorch's <c>CosineAnnealingLR</c>):
/// <c>lr(e) = η_min + (lr0 − η_min) · (1 + cos(π·e / T_max)) / 2</c>.
/// </summary>
/// <remarks>
/// Not clamped at T_max: past it the lr rises again, so the schedule is periodic with period 2·T_max,
/// exactly as PyTorch's (with T_max = 4 the lr reaches η_min at epoch 4 and rises at epoch 5).
/// </remarks>
public sealed class CosineAnnealingLR : LearningRateScheduler
{
    /// <summary>Creates the schedule; PyTorch's default η_min is 0.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "T_max must be positive.");
        TMax = tMax;
        EtaMin = etaMin;
        Apply();
    }

    /// <summary>Epochs of a half period.</summary>
    public int TMax { get; }

    /// <summary>η_min, the lowest lr.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch) =>
        EtaMin + (BaseLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
