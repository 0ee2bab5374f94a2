using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// RMSprop with optional centering, momentum and L2 weight decay — PyTorch 1.13's <c>torch.optim.RMSprop</c>
/// (<c>_single_tensor_rmsprop</c>).
/// </summary>
/// <remarks>
/// Per element (α = alpha, μ = momentum, ε outside the square root, no bias correction):
/// <code>
/// g ← g + wd·p
/// v ← α·v + (1 − α)·g²
/// centered: ḡ ← α·ḡ + (1 − α)·g,  d ← sqrt(v − ḡ²) + ε      else d ← sqrt(v) + ε
/// μ > 0:    b ← μ·b + g/d,  p ← p − lr·b                      else p ← p − lr·g/d
/// </code>
/// State keys: <c>square_avg</c>, <c>momentum_buffer</c> (μ > 0), <c>grad_avg</c> (centered).
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private const string SquareAvg = "square_avg", MomentumBuffer = "momentum_buffer", GradAvg = "grad_avg";

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public RmsProp(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weightDecay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(parameters, lr, Keys(momentum, centered))
    {
        Alpha = Require(alpha, alpha >= 0, "alpha");
        Eps = Require(eps, eps >= 0, "eps");
        WeightDecay = Require(weightDecay, weightDecay >= 0, "weight_decay");
        Momentum = Require(momentum, momentum >= 0, "momentum");
        Centered = centered;
        Maximize = maximize;
    }

    private static string[] Keys(double momentum, bool centered) =>
        [SquareAvg, .. momentum > 0 ? new[] { MomentumBuffer } : [], .. centered ? new[] { GradAvg } : []];

    /// <inheritdoc/>
    public override string Name => "RMSprop";

    /// <summary>α, the decay of the running averages.</summary>
    public double Alpha { get; }

    /// <summary>ε, added after the square root.</summary>
    public double Eps { get; }

    /// <summary>The L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the variance estimate subtracts the squared running mean of g.</summary>
    public bool Centered { get; }

    /// <summary>Whether the objective is maximized (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g, long step)
    {
        float wd = (float)WeightDecay, alpha = (float)Alpha, oneMinusAlpha = (float)(1 - Alpha);
        float eps = (float)Eps, mu = (float)Momentum, lr = (float)LearningRate;
        var v = State(SquareAvg, index);
        var mean = Centered ? State(GradAvg, index) : default;
        var b = Momentum > 0 ? State(MomentumBuffer, index) : default;
        for (int i = 0; i < p.Length; i++)
        {
            float gi = Maximize ? -g[i] : g[i];
            if (wd != 0f) gi += wd * p[i];                        // g ← g + wd·p
            v[i] = alpha * v[i] + oneMinusAlpha * gi * gi;        // v ← α·v + (1 − α)·g²
            float d;
            if (Centered)
            {
                mean[i] = alpha * mean[i] + oneMinusAlpha * gi;   // ḡ ← α·ḡ + (1 − α)·g
                d = MathF.Sqrt(v[i] - mean[i] * mean[i]) + eps;   // d ← sqrt(v − ḡ²) + ε
            }
            else
            {
                d = MathF.Sqrt(v[i]) + eps;                       // d ← sqrt(v) + ε
            }
            if (Momentum > 0)
            {
                b[i] = mu * b[i] + gi / d;                        // b ← μ·b + g/d
                p[i] -= lr * b[i];                                // p ← p − lr·b
            }
            else
            {
                p[i] -= lr * gi / d;                              // p ← p − lr·g/d
            }
        }
    }
}
