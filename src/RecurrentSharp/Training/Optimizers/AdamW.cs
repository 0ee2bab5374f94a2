using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Adam with decoupled weight decay — PyTorch 1.13's <c>torch.optim.AdamW</c> (<c>_single_tensor_adamw</c>):
/// each step first shrinks the parameter, <c>p ← p·(1 − lr·wd)</c> with the current lr, then applies
/// exactly <see cref="Adam"/>'s update with no decay in the gradient (so none enters m or v).
/// Default weight decay 1e-2.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double Beta1, double Beta2)? betas = null, double eps = 1e-8,
        double weightDecay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, maximize, decoupledWeightDecay: true)
    {
    }

    /// <inheritdoc/>
    public override string Name => "AdamW";
}
