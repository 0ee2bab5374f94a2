namespace RecurrentSharp.Training;

/// <summary>Multiplies the lr by <see cref="Gamma"/> every epoch (PyTorch's <c>ExponentialLR</c>): <c>lr(e) = lr0 · γ^e</c>.</summary>
public sealed class ExponentialLR : LearningRateScheduler
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        Apply();
    }

    /// <summary>γ, the factor per epoch.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch);
}
