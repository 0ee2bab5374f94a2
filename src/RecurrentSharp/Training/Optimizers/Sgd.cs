using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay —
/// PyTorch 1.13's <c>torch.optim.SGD</c> (<c>_single_tensor_sgd</c>).
/// </summary>
/// <remarks>
/// Per element, with μ = momentum, τ = dampening, wd = weight decay:
/// <code>
/// g ← g + wd·p
/// if μ ≠ 0:  b ← g                    at the first step (a copy, no dampening)
///            b ← μ·b + (1 − τ)·g      afterwards
///            g ← g + μ·b   (Nesterov)  or   g ← b
/// p ← p − lr·g
/// </code>
/// State key: <c>momentum_buffer</c> (only when μ ≠ 0).
/// </remarks>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentum_buffer";

    /// <summary>Creates the optimizer; PyTorch's defaults except <paramref name="lr"/>, which PyTorch requires too.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool maximize = false)
        : base(parameters, lr, momentum != 0 ? [MomentumBuffer] : [])
    {
        Momentum = Require(momentum, momentum >= 0, "momentum");
        Dampening = Require(dampening, true, "dampening");
        WeightDecay = Require(weightDecay, weightDecay >= 0, "weight_decay");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        Nesterov = nesterov;
        Maximize = maximize;
    }

    /// <inheritdoc/>
    public override string Name => "SGD";

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>The L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the Nesterov form is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Whether the objective is maximized (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g, long step)
    {
        float wd = (float)WeightDecay, mu = (float)Momentum, oneMinusTau = (float)(1 - Dampening), lr = (float)LearningRate;
        bool useMomentum = Momentum != 0;
        bool first = useMomentum && !HasState(MomentumBuffer, index);
        var b = useMomentum ? State(MomentumBuffer, index) : default;
        for (int i = 0; i < p.Length; i++)
        {
            float d = Maximize ? -g[i] : g[i];
            if (wd != 0f) d += wd * p[i];                      // g ← g + wd·p
            if (useMomentum)
            {
                b[i] = first ? d : mu * b[i] + oneMinusTau * d; // b ← g at t = 1, else μ·b + (1−τ)·g
                d = Nesterov ? d + mu * b[i] : b[i];            // g ← g + μ·b  or  g ← b
            }
            p[i] -= lr * d;                                     // p ← p − lr·g
        }
    }
}
