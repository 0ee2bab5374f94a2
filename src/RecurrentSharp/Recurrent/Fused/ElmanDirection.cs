using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// The Elman (simple) recurrent cell, fused over time:
/// <code>
///   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
///   h_t = act(a_t)                     act = tanh | relu | identity
/// </code>
/// Backward (BPTT), with dh_t = dy_t + d h_t from step t+1:
/// <code>
///   da_t      = dh_t ⊙ act'(a_t)       tanh: 1 - h_t²   relu: [h_t > 0]   identity: 1
///   dh_{t-1}  = W_hhᵀ da_t              (one GEMM per step)
///   dW_ih = Σ_t da_t x_tᵀ,  dW_hh = Σ_t da_t h_{t-1}ᵀ,  db_ih = db_hh = Σ_t da_t,  dx_t = W_ihᵀ da_t
/// </code>
/// </summary>
internal sealed class ElmanDirection : DirectionPass
{
    private readonly Nonlinearity activation;
    private float[] hidden = [];     // (T·B, H): a_t, then h_t = act(a_t) in place
    private float[] previous = [];   // (T·B, H): h_{t-1} of each step, for dW_hh
    private float[] initial = [];

    public ElmanDirection(Nonlinearity activation, LayerWeights weights, Tensors.Tensor input, int steps, int batch, int inputSize, int hiddenSize,
        bool reverse, int[]? lengths, bool keepActivations)
        : base(weights, input, steps, batch, inputSize, hiddenSize, reverse, lengths, keepActivations)
    {
        this.activation = activation;
    }

    public override void Forward(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, float[] output, int outputWidth, int column)
    {
        int H = Hidden, B = Batch;
        hidden = Borrow(Steps * B * H);
        if (KeepActivations) previous = Borrow(Steps * B * H);
        initial = StateOrZeros(h0, B * H);

        // a = X W_ihᵀ for all steps at once; b_ih + b_hh is added row by row in the step loop
        ProjectInputs(hidden, H);
        var bias = Weights.CombinedBias();
        var h = (float[])initial.Clone();
        using var whhT = PackedHiddenWeights(0, H);
        var packed = whhT.Matrix;
        // Every step over the batch rows [first, end): the rows are independent through time (RunRowBlocks).
        RunRowBlocks(H, (first, end, gemmThreads) =>
        {
            int rows = end - first;
            for (int s = 0; s < Steps; s++)
            {
                int t = StepAt(s);
                var a = hidden.AsSpan((t * B + first) * H, rows * H);
                var hRows = h.AsSpan(first * H, rows * H);
                if (KeepActivations) hRows.CopyTo(previous.AsSpan((t * B + first) * H, rows * H));
                // a_t += h_{t-1} W_hhᵀ
                var (lo, hi) = ActiveRange(t, first, end);
                if (hi > lo)
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, h.AsSpan(lo * H, (hi - lo) * H), H, packed, 1f, hidden.AsSpan((t * B + lo) * H, (hi - lo) * H), H);
                if (activation == Nonlinearity.Tanh && bias.Length > 0) GateActivations.Tanh(a, bias);   // h = tanh(a + b), one pass
                else
                {
                    for (int b = 0; b < rows; b++) AddBias(a.Slice(b * H, H), bias);
                    Activate(a);
                }
                UpdateActiveRows(t, hidden.AsSpan(t * B * H, B * H), h, first, end);
                WriteOutput(t, h, output, outputWidth, column, first, end);
            }
        });
        FinalHidden = h;
        ReturnStepBuffer(ref hidden);
    }

    private void Activate(Span<float> a)
    {
        switch (activation)
        {
            case Nonlinearity.Tanh: GateActivations.Tanh(a); break;
            case Nonlinearity.Relu: TensorPrimitives.Max(a, 0f, a); break;
            case Nonlinearity.Identity: break;
        }
    }

    public override (float[] H0Grad, float[]? C0Grad) Backward(ReadOnlyMemory<float> outputGrad, int outputWidth, int column,
        float[]? finalHiddenGrad, float[]? finalCellGrad, float[]? inputGrad, LayerGradients gradients)
    {
        EnsureActivationsHeld();
        int H = Hidden, B = Batch;
        var dh = StateOrZeros(finalHiddenGrad, B * H);
        var dPre = BorrowStepGradients(Steps * B * H);           // da_t for every step (zero rows where inactive)
        var dhPrev = new float[B * H];
        using var whh = Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: false, 0, H);
        var packed = whh.Matrix;
        var biasSums = BiasSums(gradients.InputBias ?? gradients.HiddenBias, H);
        RunRowBlocks(H, (first, end, gemmThreads) =>
        {
            int rows = end - first;
            var biasSum = biasSums?.ForBlock(first);
            for (int s = Steps - 1; s >= 0; s--)
            {
                int t = StepAt(s);
                AddOutputGrad(t, dh, outputGrad, outputWidth, column, first, end);
                var hT = hidden.AsSpan(t * B * H, B * H);
                var da = dPre.AsSpan(t * B * H, B * H);
                for (int b = first; b < end; b++)
                {
                    if (!IsActive(t, b)) continue;
                    ActivationBackward(hT.Slice(b * H, H), dh.AsSpan(b * H, H), da.Slice(b * H, H));
                    if (biasSum is not null) TensorPrimitives.Add(biasSum, da.Slice(b * H, H), biasSum);
                }
                // dh_{t-1} = da_t W_hh ; inactive rows carry dh unchanged
                var (lo, hi) = ActiveRange(t, first, end);
                if (hi > lo)
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, da.Slice(lo * H, (hi - lo) * H), H, packed, 0f, dhPrev.AsSpan(lo * H, (hi - lo) * H), H);
                UpdateActiveRows(t, dhPrev, dh, first, end);
            }
        });
        // dW_hh = Σ_t da_t h_{t-1}ᵀ and dW_ih = Σ_t da_t x_tᵀ, dX = da W_ih, all steps in one go
        WeightGradients(dPre, H, previous, gradients);
        AddSharedBiasGradients(biasSums, gradients);
        InputGradient(dPre, H, inputGrad);
        return (dh, null);
    }

    /// <summary>da = dh ⊙ act'(a), written in terms of the output h = act(a).</summary>
    private void ActivationBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> da)
    {
        switch (activation)
        {
            case Nonlinearity.Tanh:
                TanhBackward(h, dh, da);
                break;
            case Nonlinearity.Relu:
                for (int j = 0; j < da.Length; j++) da[j] = h[j] > 0f ? dh[j] : 0f;
                break;
            case Nonlinearity.Identity:
                dh.CopyTo(da);
                break;
        }
    }
}
