using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Adam with optional L2 weight decay and AMSGrad — PyTorch 1.13's <c>torch.optim.Adam</c>
/// (<c>_single_tensor_adam</c>). <see cref="AdamW"/> derives from it with decoupled weight decay.
/// </summary>
/// <remarks>
/// Per element at step t (β1, β2, ε; wd = weight decay):
/// <code>
/// g ← g + wd·p                                   (Adam; AdamW instead first does p ← p·(1 − lr·wd))
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// v̂ ← max(v̂, v) if amsgrad (the max of the raw v), else v̂ = v
/// p ← p − (lr / (1 − β1^t)) · m / (sqrt(v̂) / sqrt(1 − β2^t) + ε)
/// </code>
/// ε is added after the bias correction of sqrt(v̂); m, v and the max are stored uncorrected. With
/// amsgrad the code takes the max of the raw v (PyTorch's documentation box takes it of the corrected
/// one; the code, followed here, is what PyTorch runs). State keys: <c>exp_avg</c>, <c>exp_avg_sq</c>,
/// and <c>max_exp_avg_sq</c> with amsgrad.
/// </remarks>
public class Adam : Optimizer
{
    private const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", MaxExpAvgSq = "max_exp_avg_sq";
    private readonly bool decoupledWeightDecay;

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(parameters, lr, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: false)
    {
    }

    /// <summary>For <see cref="AdamW"/>: the same update with the weight decay applied to the parameter.</summary>
    private protected Adam(IEnumerable<Tensor> parameters, double lr, (double Beta1, double Beta2) betas, double eps,
        double weightDecay, bool amsgrad, bool maximize, bool decoupledWeightDecay)
        : base(parameters, lr, amsgrad ? [ExpAvg, ExpAvgSq, MaxExpAvgSq] : [ExpAvg, ExpAvgSq])
    {
        Beta1 = Require(betas.Beta1, betas.Beta1 >= 0 && betas.Beta1 < 1, "beta1");
        Beta2 = Require(betas.Beta2, betas.Beta2 >= 0 && betas.Beta2 < 1, "beta2");
        Eps = Require(eps, eps >= 0, "eps");
        WeightDecay = Require(weightDecay, weightDecay >= 0, "weight_decay");
        Amsgrad = amsgrad;
        Maximize = maximize;
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    /// <inheritdoc/>
    public override string Name => "Adam";

    /// <summary>β1, the decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The weight decay (L2 on the gradient for Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the running maximum of v is used (AMSGrad).</summary>
    public bool Amsgrad { get; }

    /// <summary>Whether the objective is maximized (the gradient is negated).</summary>
    public bool Maximize { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> p, ReadOnlySpan<float> g, long step)
    {
        double lr = LearningRate;
        // Scalars in double, rounded once to float32 (as PyTorch's Python floats enter its float32 kernels).
        float decay = (float)(1 - lr * WeightDecay);
        float wd = (float)WeightDecay;
        float beta1 = (float)Beta1, oneMinusBeta1 = (float)(1 - Beta1);
        float beta2 = (float)Beta2, oneMinusBeta2 = (float)(1 - Beta2);
        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, step)));            // lr / (1 − β1^t)
        float biasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(Beta2, step)); // sqrt(1 − β2^t)
        float eps = (float)Eps;
        var m = State(ExpAvg, index);
        var v = State(ExpAvgSq, index);
        var vMax = Amsgrad ? State(MaxExpAvgSq, index) : default;
        for (int i = 0; i < p.Length; i++)
        {
            float gi = Maximize ? -g[i] : g[i];
            if (decoupledWeightDecay) p[i] *= decay;             // AdamW: p ← p·(1 − lr·wd)
            else if (wd != 0f) gi += wd * p[i];                   // Adam:  g ← g + wd·p
            m[i] = beta1 * m[i] + oneMinusBeta1 * gi;             // m ← β1·m + (1 − β1)·g
            v[i] = beta2 * v[i] + oneMinusBeta2 * gi * gi;        // v ← β2·v + (1 − β2)·g²
            float second = v[i];
            if (Amsgrad) second = vMax[i] = MathF.Max(vMax[i], v[i]); // v̂ ← max(v̂, v)
            float denominator = MathF.Sqrt(second) / biasCorrection2Sqrt + eps;
            p[i] -= stepSize * m[i] / denominator;                // p ← p − step·m / (sqrt(v̂)/sqrt(1−β2^t) + ε)
        }
    }
}
