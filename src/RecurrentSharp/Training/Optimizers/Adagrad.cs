using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Adagrad with learning-rate decay, an initial accumulator value and L2 weight decay — PyTorch 1.13's
/// <c>torch.optim.Adagrad</c> (<c>_single_tensor_adagrad</c>).
/// </summary>
/// <remarks>
/// Per element at step t:
/// <code>
/// g ← g + wd·p
/// clr = lr / (1 + (t − 1)·lr_decay)          (no decay at the first step)
/// sum ← sum + g²                              (sum starts at initial_accumulator_value)
/// p ← p − clr · g / (sqrt(sum) + ε)
/// </code>
/// The state (<c>sum</c>) exists from construction, as in PyTorch.
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private const string Sum = "sum";

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(parameters, lr, Sum)
    {
        LrDecay = Require(lrDecay, lrDecay >= 0, "lr_decay");
        WeightDecay = Require(weightDecay, weightDecay >= 0, "weight_decay");
        InitialAccumulatorValue = Require(initialAccumulatorValue, initialAccumulatorValue >= 0, "initial_accumulator_value");
        Eps = Require(eps, eps >= 0, "eps");
        Maximize = maximize;
        for (int i = 0; i < Parameters.Count; i++) State(Sum, i, (float)initialAccumulatorValue);
    }

    /// <inheritdoc/>
    public override string Name => "Adagrad";

    /// <summary>The decay of the step size with the step count.</summary>
    public double LrDecay { get; }

    /// <summary>The L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>The starting value of the accumulated squares.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε, added after the square root.</summary>
    public double Eps { get; }

    /// <summary>Whether the objective is maximized (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g, long step)
    {
        float wd = (float)WeightDecay, eps = (float)Eps;
        float clr = (float)(LearningRate / (1 + (step - 1) * LrDecay)); // clr = lr / (1 + (t − 1)·lr_decay)
        var sum = State(Sum, index, (float)InitialAccumulatorValue);
        for (int i = 0; i < p.Length; i++)
        {
            float gi = Maximize ? -g[i] : g[i];
            if (wd != 0f) gi += wd * p[i];                 // g ← g + wd·p
            sum[i] += gi * gi;                             // sum ← sum + g²
            p[i] -= clr * gi / (MathF.Sqrt(sum[i]) + eps); // p ← p − clr·g / (sqrt(sum) + ε)
        }
    }
}
