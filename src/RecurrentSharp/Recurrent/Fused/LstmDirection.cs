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
        // The peephole terms come from the weights (p ⊙ c is skipped when there are none); they must agree with the cell.
        if (peephole == weights.Peephole.IsEmpty)
            throw new ArgumentException($"LstmDirection: peephole={peephole} but the layer has {weights.Peephole.Length} peephole weights.");
        this.coupled = coupled;
        gates = coupled ? 3 : 4;
    }

    public override void Forward(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, float[] output, int outputWidth, int column)
    {
        int H = Hidden, B = Batch, GH = gates * H;
        // Inference with a wide enough input projects each step's x_t in the step loop, into one step's rows
        bool stepInputs = ProjectsInputsPerStep(GH);
        activations = Borrow((stepInputs ? 1 : Steps) * B * GH);
        int StepRow(int t) => stepInputs ? 0 : t * B;   // where step t's rows start in activations
        if (KeepActivations)
        {
            previousH = Borrow(Steps * B * H);
            previousC = Borrow(Steps * B * H);
            tanhC = Borrow(Steps * B * H);
        }
        var h = StateOrZeros(h0, B * H);
        var c = StateOrZeros(c0, B * H);

        // a = X W_ihᵀ for all steps at once (or x_t W_ihᵀ at each step); b_ih + b_hh is added row by row in the step loop
        if (!stepInputs) ProjectInputs(activations, GH);
        var bias = Weights.CombinedBias();
        using var whhT = PackedHiddenWeights(0, GH);
        var packed = whhT.Matrix;
        using var wihT = stepInputs ? PackedInputWeights(GH) : default;
        // Every step over the batch rows [first, end): the rows are independent through time (RunRowBlocks).
        RunRowBlocks(GH, (first, end, gemmThreads) =>
        {
            int rows = end - first;
            var tanhScratch = KeepActivations ? [] : new float[rows * H];   // inference: tanh(c_t) of this block's rows
            int t = 0;
            // The gates of step t over the rows [b0, b1): a += b_ih + b_hh; i, f, o = σ(· [+ p ⊙ c]); g = tanh(·);
            // c_t = f ⊙ c + i ⊙ g; h_t = o ⊙ tanh(c_t); then the rows' outputs
            void GateRows(int b0, int b1)
            {
                for (int b = b0; b < b1; b++)
                {
                    if (!IsActive(t, b)) continue;
                    var tc = KeepActivations ? tanhC.AsSpan((t * B + b) * H, H) : tanhScratch.AsSpan((b - first) * H, H);
                    var row = activations.AsSpan((StepRow(t) + b) * GH, GH);
                    AddBias(row, bias);
                    LstmGateKernel.Forward(row, c.AsSpan(b * H, H), tc, h.AsSpan(b * H, H), H, Weights.Peephole, coupled);
                }
                WriteOutput(t, h, output, outputWidth, column, b0, b1);
            }
            var stepGates = new StepRows(GateRows, first, end, gemmThreads);
            for (int s = 0; s < Steps; s++)
            {
                t = StepAt(s);
                var hRows = h.AsSpan(first * H, rows * H);
                if (KeepActivations)
                {
                    hRows.CopyTo(previousH.AsSpan((t * B + first) * H, rows * H));
                    c.AsSpan(first * H, rows * H).CopyTo(previousC.AsSpan((t * B + first) * H, rows * H));
                }
                // a_t += h_{t-1} W_hhᵀ, over the rows between the first and last running sequence
                var (lo, hi) = ActiveRange(t, first, end);
                if (hi > lo)
                {
                    var a = activations.AsSpan((StepRow(t) + lo) * GH, (hi - lo) * GH);
                    if (stepInputs)
                        Gemm.Multiply(gemmThreads, false, hi - lo, 1f, Input.Slice((t * B + lo) * InputSize, (hi - lo) * InputSize), InputSize, wihT.Matrix, 0f, a, GH);
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, h.AsSpan(lo * H, (hi - lo) * H), H, packed, 1f, a, GH);
                }
                stepGates.Run();
            }
        });
        FinalHidden = h;
        FinalCell = c;
        ReturnStepBuffer(ref activations);
    }

    public override (float[] H0Grad, float[]? C0Grad) Backward(ReadOnlyMemory<float> outputGrad, int outputWidth, int column,
        float[]? finalHiddenGrad, float[]? finalCellGrad, float[]? inputGrad, LayerGradients gradients)
    {
        EnsureActivationsHeld();
        int H = Hidden, B = Batch, GH = gates * H;
        var dh = StateOrZeros(finalHiddenGrad, B * H);
        var dc = StateOrZeros(finalCellGrad, B * H);
        var dGates = BorrowStepGradients(Steps * B * GH);     // d loss / d a for every step (zero rows where inactive)
        var dhPrev = new float[B * H];
        using var whh = Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: false, 0, GH);
        var packed = whh.Matrix;
        var peepholeGrad = gradients.Peephole;
        var blockPeepholeGrads = new SortedList<int, float[]>();   // by first row, so they are summed in the same order every run
        var biasSums = BiasSums(gradients.InputBias ?? gradients.HiddenBias, GH);

        RunRowBlocks(GH, (first, end, gemmThreads) =>
        {
            int rows = end - first;
            // The peephole gradients sum over rows: a block adds into its own, and they are summed after the blocks.
            var dp = peepholeGrad is null || rows == B ? peepholeGrad : new float[peepholeGrad.Length];
            if (dp is not null && dp != peepholeGrad) lock (blockPeepholeGrads) blockPeepholeGrads.Add(first, dp);
            var biasSum = biasSums?.ForBlock(first);
            for (int s = Steps - 1; s >= 0; s--)
            {
                int t = StepAt(s);
                AddOutputGrad(t, dh, outputGrad, outputWidth, column, first, end);
                for (int b = first; b < end; b++)
                {
                    if (!IsActive(t, b)) continue;
                    int r = t * B + b;
                    // da_o, dc, da_g, da_i, da_f, dc_{t-1} and the peephole gradients (equations above), in one pass over the row
                    LstmGateKernel.Backward(activations.AsSpan(r * GH, GH), previousC.AsSpan(r * H, H), tanhC.AsSpan(r * H, H),
                        dh.AsSpan(b * H, H), dc.AsSpan(b * H, H), dGates.AsSpan(r * GH, GH), H, Weights.Peephole,
                        dp.AsSpan(), coupled);
                    if (biasSum is not null) TensorPrimitives.Add(biasSum, dGates.AsSpan(r * GH, GH), biasSum);
                }
                // dh_{t-1} = da_t W_hh ; inactive rows carry dh and dc unchanged
                var (lo, hi) = ActiveRange(t, first, end);
                if (hi > lo)
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, dGates.AsSpan((t * B + lo) * GH, (hi - lo) * GH), GH, packed, 0f, dhPrev.AsSpan(lo * H, (hi - lo) * H), H);
                UpdateActiveRows(t, dhPrev, dh, first, end);
            }
        });
        foreach (var dp in blockPeepholeGrads.Values) TensorPrimitives.Add(peepholeGrad!, dp, peepholeGrad);
        // dW_hh = Σ_t da_t h_{t-1}ᵀ and dW_ih = Σ_t da_t x_tᵀ, dX = da W_ih, all steps in one go. b_ih and b_hh get the same gradient.
        WeightGradients(dGates, GH, previousH, gradients);
        AddSharedBiasGradients(biasSums, gradients);
        InputGradient(dGates, GH, inputGrad);
        return (dh, dc);
    }
}
