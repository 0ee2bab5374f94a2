using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// The LSTM cell fused over time, in PyTorch's gate order i, f, g, o:
/// <code>
///   a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          (4H: a_i, a_f, a_g, a_o)
///   i = σ(a_i + p_i ⊙ c_{t-1})     f = σ(a_f + p_f ⊙ c_{t-1})     g = tanh(a_g)
///   c_t = f ⊙ c_{t-1} + i ⊙ g
///   o = σ(a_o + p_o ⊙ c_t)
///   h_t = o ⊙ tanh(c_t)
/// </code>
/// The peephole terms p ⊙ c (Gers and Schmidhuber; diagonal weights) are present only with peepholes.
/// In the coupled variant the forget gate is f = 1 - i, and the gates are i, g, o (3H).
/// Backward (BPTT), with dh = dy_t + dh from step t+1 and dc from step t+1:
/// <code>
///   do   = dh ⊙ tanh(c_t)                       da_o = do ⊙ o(1 - o)
///   dc  += dh ⊙ o ⊙ (1 - tanh²(c_t))  [+ da_o ⊙ p_o]
///   da_i = dc ⊙ g ⊙ i(1 - i)         (coupled: dc ⊙ (g - c_{t-1}) ⊙ i(1 - i))
///   da_f = dc ⊙ c_{t-1} ⊙ f(1 - f)
///   da_g = dc ⊙ i ⊙ (1 - g²)
///   dc_{t-1} = dc ⊙ f  [+ da_i ⊙ p_i + da_f ⊙ p_f]
///   dh_{t-1} = W_hhᵀ da                          (one GEMM per step)
///   dp_i = Σ da_i ⊙ c_{t-1},  dp_f = Σ da_f ⊙ c_{t-1},  dp_o = Σ da_o ⊙ c_t
/// </code>
/// </summary>
internal sealed class LstmDirection : DirectionPass
{
    private readonly bool peephole;
    private readonly bool coupled;
    private readonly int gates;
    private float[] activations = [];  // (T·B, G·H): pre-activations, then i, f, g, o in place
    private float[] previousH = [];    // (T·B, H): h_{t-1} of each step
    private float[] previousC = [];    // (T·B, H): c_{t-1} of each step
    private float[] tanhC = [];        // (T·B, H): tanh(c_t)

    public LstmDirection(bool peephole, bool coupled, LayerWeights weights, Tensors.Tensor input, int steps, int batch, int inputSize, int hiddenSize,
        bool reverse, int[]? lengths, bool keepActivations)
        : base(weights, input, steps, batch, inputSize, hiddenSize, reverse, lengths, keepActivations)
    {
        this.peephole = peephole;
        this.coupled = coupled;
        gates = coupled ? 3 : 4;
    }

    // Offsets of each gate's block inside a row of G·H pre-activations.
    private int I => 0;
    private int F => coupled ? -1 : Hidden;
    private int G => coupled ? Hidden : 2 * Hidden;
    private int O => coupled ? 2 * Hidden : 3 * Hidden;

    // Rows of the (2 or 3, H) peephole matrix: i, [f], o.
    private ReadOnlySpan<float> PeepholeI => Weights.Peephole[..Hidden];
    private ReadOnlySpan<float> PeepholeF => Weights.Peephole.Slice(Hidden, Hidden);
    private ReadOnlySpan<float> PeepholeO => Weights.Peephole[^Hidden..];

    public override void Forward(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, float[] output, int outputWidth, int column)
    {
        int H = Hidden, B = Batch, GH = gates * H;
        activations = GC.AllocateUninitializedArray<float>(Steps * B * GH);
        if (KeepActivations)
        {
            previousH = GC.AllocateUninitializedArray<float>(Steps * B * H);
            previousC = GC.AllocateUninitializedArray<float>(Steps * B * H);
            tanhC = GC.AllocateUninitializedArray<float>(Steps * B * H);
        }
        var h = StateOrZeros(h0, B * H);
        var c = StateOrZeros(c0, B * H);
        var tanhScratch = new float[H];
        var gMinusC = new float[H];

        // a = X W_ihᵀ + (b_ih + b_hh) for all steps at once
        ProjectInputs(activations, GH, Weights.CombinedBias());
        using var whhT = Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: true, 0, GH);
        for (int s = 0; s < Steps; s++)
        {
            int t = StepAt(s);
            var a = activations.AsSpan(t * B * GH, B * GH);
            if (KeepActivations)
            {
                h.CopyTo(previousH.AsSpan(t * B * H, B * H));
                c.CopyTo(previousC.AsSpan(t * B * H, B * H));
            }
            // a_t += h_{t-1} W_hhᵀ
            Gemm.Multiply(false, B, 1f, h, H, whhT.Matrix, 1f, a, GH);
            for (int b = 0; b < B; b++)
            {
                if (!IsActive(t, b)) continue;
                var row = a.Slice(b * GH, GH);
                var cb = c.AsSpan(b * H, H);
                var ig = row.Slice(I, H);
                var gg = row.Slice(G, H);
                var og = row.Slice(O, H);
                if (peephole)
                {
                    TensorPrimitives.MultiplyAdd(PeepholeI, cb, ig, ig);
                    if (!coupled) TensorPrimitives.MultiplyAdd(PeepholeF, cb, row.Slice(F, H), row.Slice(F, H));
                }
                // i, f = σ(·); g = tanh(·)
                TensorPrimitives.Sigmoid(row[..(coupled ? H : 2 * H)], row[..(coupled ? H : 2 * H)]);
                TensorPrimitives.Tanh(gg, gg);
                if (coupled)
                {
                    // c_t = (1 - i) ⊙ c + i ⊙ g = c + i ⊙ (g - c)
                    TensorPrimitives.Subtract(gg, cb, gMinusC);
                    TensorPrimitives.MultiplyAdd(ig, gMinusC, cb, cb);
                }
                else
                {
                    // c_t = f ⊙ c + i ⊙ g
                    TensorPrimitives.Multiply(row.Slice(F, H), cb, cb);
                    TensorPrimitives.MultiplyAdd(ig, gg, cb, cb);
                }
                if (peephole) TensorPrimitives.MultiplyAdd(PeepholeO, cb, og, og);
                TensorPrimitives.Sigmoid(og, og);
                // h_t = o ⊙ tanh(c_t)
                var tc = KeepActivations ? tanhC.AsSpan((t * B + b) * H, H) : tanhScratch;
                TensorPrimitives.Tanh(cb, tc);
                TensorPrimitives.Multiply(og, tc, h.AsSpan(b * H, H));
            }
            WriteOutput(t, h, output, outputWidth, column);
        }
        FinalHidden = h;
        FinalCell = c;
    }

    public override (float[] H0Grad, float[]? C0Grad) Backward(float[]? outputGrad, int outputWidth, int column,
        float[]? finalHiddenGrad, float[]? finalCellGrad, float[]? inputGrad, LayerGradients gradients)
    {
        int H = Hidden, B = Batch, GH = gates * H;
        var dh = StateOrZeros(finalHiddenGrad, B * H);
        var dc = StateOrZeros(finalCellGrad, B * H);
        var dGates = new float[Steps * B * GH];     // d loss / d a for every step (zero rows where inactive)
        var dhPrev = new float[B * H];
        var work = new float[H];
        var cNow = new float[H];
        using var whh = Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: false, 0, GH);

        for (int s = Steps - 1; s >= 0; s--)
        {
            int t = StepAt(s);
            AddOutputGrad(t, dh, outputGrad, outputWidth, column);
            for (int b = 0; b < B; b++)
            {
                if (!IsActive(t, b)) continue;
                int r = t * B + b;
                var act = activations.AsSpan(r * GH, GH);
                var da = dGates.AsSpan(r * GH, GH);
                var i = act.Slice(I, H);
                var g = act.Slice(G, H);
                var o = act.Slice(O, H);
                var cPrev = previousC.AsSpan(r * H, H);
                var tc = tanhC.AsSpan(r * H, H);
                var dhb = dh.AsSpan(b * H, H);
                var dcb = dc.AsSpan(b * H, H);

                // da_o = dh ⊙ tanh(c_t) ⊙ o(1 - o)
                TensorPrimitives.Multiply(dhb, tc, work);
                SigmoidBackward(o, work, da.Slice(O, H));
                // dc += dh ⊙ o ⊙ (1 - tanh²(c_t)) [+ da_o ⊙ p_o]
                TensorPrimitives.Multiply(dhb, o, work);
                TanhBackward(tc, work, work);
                TensorPrimitives.Add(dcb, work, dcb);
                if (peephole) TensorPrimitives.MultiplyAdd(da.Slice(O, H), PeepholeO, dcb, dcb);

                // da_g = dc ⊙ i ⊙ (1 - g²)
                TensorPrimitives.Multiply(dcb, i, work);
                TanhBackward(g, work, da.Slice(G, H));
                if (coupled)
                {
                    // da_i = dc ⊙ (g - c_{t-1}) ⊙ i(1 - i);  dc_{t-1} = dc ⊙ (1 - i)
                    TensorPrimitives.Subtract(g, cPrev, work);
                    TensorPrimitives.Multiply(work, dcb, work);
                    SigmoidBackward(i, work, da.Slice(I, H));
                    TensorPrimitives.Subtract(1f, i, work);
                    TensorPrimitives.Multiply(dcb, work, dcb);
                }
                else
                {
                    var f = act.Slice(F, H);
                    // da_i = dc ⊙ g ⊙ i(1 - i);  da_f = dc ⊙ c_{t-1} ⊙ f(1 - f);  dc_{t-1} = dc ⊙ f
                    TensorPrimitives.Multiply(dcb, g, work);
                    SigmoidBackward(i, work, da.Slice(I, H));
                    TensorPrimitives.Multiply(dcb, cPrev, work);
                    SigmoidBackward(f, work, da.Slice(F, H));
                    TensorPrimitives.Multiply(dcb, f, dcb);
                }
                if (peephole)
                {
                    var dp = gradients.Peephole!;
                    // c_t, recomputed: f ⊙ c_{t-1} + i ⊙ g  (coupled: c_{t-1} + i ⊙ (g - c_{t-1}))
                    if (coupled)
                    {
                        TensorPrimitives.Subtract(g, cPrev, cNow);
                        TensorPrimitives.MultiplyAdd(i, cNow, cPrev, cNow);
                    }
                    else
                    {
                        TensorPrimitives.Multiply(act.Slice(F, H), cPrev, cNow);
                        TensorPrimitives.MultiplyAdd(i, g, cNow, cNow);
                    }
                    TensorPrimitives.MultiplyAdd(da.Slice(I, H), PeepholeI, dcb, dcb);
                    TensorPrimitives.MultiplyAdd(da.Slice(I, H), cPrev, dp.AsSpan(0, H), dp.AsSpan(0, H));
                    if (!coupled)
                    {
                        TensorPrimitives.MultiplyAdd(da.Slice(F, H), PeepholeF, dcb, dcb);
                        TensorPrimitives.MultiplyAdd(da.Slice(F, H), cPrev, dp.AsSpan(H, H), dp.AsSpan(H, H));
                    }
                    var dpo = dp.AsSpan(dp.Length - H, H);
                    TensorPrimitives.MultiplyAdd(da.Slice(O, H), cNow, dpo, dpo);
                }
            }
            // dh_{t-1} = da_t W_hh ; inactive rows carry dh and dc unchanged
            Gemm.Multiply(false, B, 1f, dGates.AsSpan(t * B * GH, B * GH), GH, whh.Matrix, 0f, dhPrev, H);
            UpdateActiveRows(t, dhPrev, dh);
        }
        // dW_hh += Σ_t da_t h_{t-1}ᵀ ; the input side in one go. b_ih and b_hh get the same gradient.
        Gemm.Multiply(true, false, GH, H, Steps * B, 1f, dGates, GH, previousH, H, 1f, gradients.HiddenWeights, H);
        if (gradients.HiddenBias is not null) SumRows(dGates, Steps * B, GH, gradients.HiddenBias);
        AccumulateInputSideGradients(dGates, GH, inputGrad, gradients, gradients.InputBias);
        return (dh, dc);
    }
}
