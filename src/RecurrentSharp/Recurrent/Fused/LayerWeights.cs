using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>The parameters of one direction of one fused layer, read by the kernels as spans.</summary>
/// <param name="InputWeightTensor">W_ih, (G·H, I).</param>
/// <param name="HiddenWeightTensor">W_hh, (G·H, H).</param>
/// <param name="InputBiasTensor">b_ih, (G·H), or null.</param>
/// <param name="HiddenBiasTensor">b_hh, (G·H), or null.</param>
/// <param name="PeepholeTensor">LSTM peephole weights (3, H) for i, f, o, or null.</param>
internal sealed record LayerWeights(Tensor InputWeightTensor, Tensor HiddenWeightTensor, Tensor? InputBiasTensor, Tensor? HiddenBiasTensor, Tensor? PeepholeTensor = null)
{
    public ReadOnlySpan<float> InputWeights => InputWeightTensor.Data;
    public ReadOnlySpan<float> HiddenWeights => HiddenWeightTensor.Data;
    public ReadOnlySpan<float> InputBias => InputBiasTensor is null ? default : InputBiasTensor.Data;
    public ReadOnlySpan<float> HiddenBias => HiddenBiasTensor is null ? default : HiddenBiasTensor.Data;
    public ReadOnlySpan<float> Peephole => PeepholeTensor is null ? default : PeepholeTensor.Data;
    public bool HasBias => InputBiasTensor is not null;

    /// <summary>Packed copies of W_hh for the per-step products: refilled at each training pass, kept while unchanged in inference.</summary>
    public PackedWeightCache Packed { get; } = new();

    /// <summary>Packed copies of W_ih for inference passes: the step-by-step input projection, and the all-steps one of a W_ih small enough to keep.</summary>
    public PackedWeightCache PackedInput { get; } = new();

    /// <summary>b_ih + b_hh (empty without biases): Elman and LSTM add both to every input projection.</summary>
    public float[] CombinedBias()
    {
        if (InputBiasTensor is null || HiddenBiasTensor is null) return [];
        var sum = new float[InputBiasTensor.Length];
        System.Numerics.Tensors.TensorPrimitives.Add(InputBias, HiddenBias, sum);
        return sum;
    }
}

/// <summary>
/// The parameter gradients of one direction of one fused layer. The weight matrices' gradients are each written once, by
/// one product over all steps (beta = 0), so their arrays are not zeroed first: at deep's size that is 16 MB of stores per
/// training step saved. The bias and peephole gradients are sums that start from zero.
/// </summary>
internal sealed class LayerGradients
{
    public LayerGradients(LayerWeights weights)
    {
        InputWeights = GC.AllocateUninitializedArray<float>(weights.InputWeightTensor.Length);
        HiddenWeights = GC.AllocateUninitializedArray<float>(weights.HiddenWeightTensor.Length);
        if (weights.InputBiasTensor is not null) InputBias = new float[weights.InputBiasTensor.Length];
        if (weights.HiddenBiasTensor is not null) HiddenBias = new float[weights.HiddenBiasTensor.Length];
        if (weights.PeepholeTensor is not null) Peephole = new float[weights.PeepholeTensor.Length];
    }

    public float[] InputWeights { get; }
    public float[] HiddenWeights { get; }
    public float[]? InputBias { get; }
    public float[]? HiddenBias { get; }
    public float[]? Peephole { get; }
}
