using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// The GRU cell fused over time, in PyTorch's gate order r, z, n. Two formulations:
/// <code>
///   r = σ(W_ir x + b_ir + W_hr h + b_hr)        z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   PyTorch / cuDNN (reset after the product):  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///   Cho et al. 2014 (reset before the product): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
///   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
/// </code>
/// Backward (BPTT), with dh = dy_t + dh from step t+1:
/// <code>
///   dn_pre = dh ⊙ (1 - z) ⊙ (1 - n²)          dz_pre = dh ⊙ (h_{t-1} - n) ⊙ z(1 - z)
///   PyTorch: dr_pre = dn_pre ⊙ (W_hn h + b_hn) ⊙ r(1 - r);  the h-side n gradient is dn_pre ⊙ r
///   Cho:     d(r⊙h) = W_hnᵀ dn_pre;  dr_pre = d(r⊙h) ⊙ h ⊙ r(1 - r);  dh_{t-1} += d(r⊙h) ⊙ r
///   dh_{t-1} += dh ⊙ z + W_hhᵀ [dr_pre, dz_pre, (h-side n gradient)]
///   dW_ih = Σ dGx xᵀ with dGx = [dr_pre, dz_pre, dn_pre];  dW_hh = Σ dGh h_{t-1}ᵀ (Cho: the n rows use (r⊙h)ᵀ)
/// </code>
/// </summary>
internal sealed class GruDirection : DirectionPass
{
    private readonly bool resetAfter;
    private float[] inputSide = [];     // (T·B, 3H): W_ih x + b_ih, then r, z, n in place
    private float[] hiddenN = [];       // (T·B, H): W_hn h + b_hn (PyTorch) or W_hn (r⊙h) + b_hn (Cho)
    private float[] previousH = [];     // (T·B, H): h_{t-1}
    private float[] resetHidden = [];   // (T·B, H): r ⊙ h_{t-1} (Cho only)

    public GruDirection(bool resetAfter, LayerWeights weights, Tensors.Tensor input, int steps, int batch, int inputSize, int hiddenSize,
        bool reverse, int[]? lengths, bool keepActivations)
        : base(weights, input, steps, batch, inputSize, hiddenSize, reverse, lengths, keepActivations)
    {
        this.resetAfter = resetAfter;
    }

    public override void Forward(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, float[] output, int outputWidth, int column)
    {
        int H = Hidden, B = Batch, GH = 3 * H;
        // Inference in PyTorch's form with a wide enough input projects each step's x_t in the step loop, into one step's rows
        // (Cho's form keeps the all-steps product)
        bool stepInputs = resetAfter && ProjectsInputsPerStep(GH);
        int stepRows = stepInputs ? 1 : Steps;
        inputSide = Borrow(stepRows * B * GH);
        hiddenN = Borrow(stepRows * B * H);
        int StepRow(int t) => stepInputs ? 0 : t * B;   // where step t's rows start in inputSide and hiddenN
        if (KeepActivations)
        {
            previousH = Borrow(Steps * B * H);
            if (!resetAfter) resetHidden = Borrow(Steps * B * H);
        }
        var h = StateOrZeros(h0, B * H);
        var hidSide = new float[B * GH];               // W_hh h_{t-1} + b_hh for one step
        var rh = new float[B * H];

        // Gx = X W_ihᵀ for all steps at once; b_ih is added in the gate kernel (PyTorch's form) or row by row in the step loop (Cho's)
        if (!stepInputs) ProjectInputs(inputSide, GH);
        using var wihT = stepInputs ? PackedInputWeights(GH) : default;
        int hRows = resetAfter ? GH : 2 * H;
        using var whhT = PackedHiddenWeights(0, hRows);
        using var whnT = resetAfter ? default : PackedHiddenWeights(2 * H, H);   // Cho's separate n product
        var packedH = whhT.Matrix;
        var packedN = resetAfter ? null : whnT.Matrix;
        // Every step over the batch rows [first, end): the rows are independent through time (RunRowBlocks).
        RunRowBlocks(GH, (first, end, gemmThreads) =>
        {
            int rows = end - first;
            var work = new float[H];
            int t = 0;
            // PyTorch's form, the gates of step t over the rows [b0, b1): r, z = σ(Gx + b_ih + Gh + b_hh); hn = Gh_n + b_hn;
            // n = tanh(Gx_n + r ⊙ hn); h_t = n + z ⊙ (h_{t-1} - n); then the rows' outputs
            void GateRows(int b0, int b1)
            {
                var gx = inputSide.AsSpan(StepRow(t) * GH, B * GH);
                var hn = hiddenN.AsSpan(StepRow(t) * H, B * H);
                for (int b = b0; b < b1; b++)
                    if (IsActive(t, b))
                        GruGateKernel.Forward(gx.Slice(b * GH, GH), hidSide.AsSpan(b * GH, GH), Weights.InputBias, Weights.HiddenBias, hn.Slice(b * H, H), h.AsSpan(b * H, H), H);
                WriteOutput(t, h, output, outputWidth, column, b0, b1);
            }
            var stepGates = new StepRows(GateRows, first, end, gemmThreads);
            var hiddenBias = Weights.HiddenBias;
            var inputBias = Weights.InputBias;
            for (int s = 0; s < Steps; s++)
            {
                t = StepAt(s);
                var gx = inputSide.AsSpan(StepRow(t) * GH, B * GH);
                var hn = hiddenN.AsSpan(StepRow(t) * H, B * H);
                if (KeepActivations) h.AsSpan(first * H, rows * H).CopyTo(previousH.AsSpan((t * B + first) * H, rows * H));

                // Gh = h_{t-1} W_hhᵀ (Cho: only the r and z rows here)
                // (PyTorch's form: only over the rows between the first and last running sequence; Cho's form reads every row's r below)
                var (lo, hi) = resetAfter ? ActiveRange(t, first, end) : (first, end);
                if (stepInputs && hi > lo)   // Gx = x_t W_ihᵀ over the same rows
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, Input.Slice((t * B + lo) * InputSize, (hi - lo) * InputSize), InputSize, wihT.Matrix, 0f, gx.Slice(lo * GH, (hi - lo) * GH), GH);
                if (hi > lo)
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, h.AsSpan(lo * H, (hi - lo) * H), H, packedH, 0f, hidSide.AsSpan(lo * GH, (hi - lo) * GH), GH);
                if (resetAfter)
                {
                    stepGates.Run();   // the gates and the outputs, split across the threads when the product was
                }
                else
                {
                    for (int b = first; b < end; b++)
                    {
                        AddBias(gx.Slice(b * GH, GH), inputBias);   // Gx += b_ih
                        var row = hidSide.AsSpan(b * GH, hRows);
                        if (!hiddenBias.IsEmpty) TensorPrimitives.Add(row, hiddenBias[..hRows], row);
                        // r, z = σ(Gx + Gh)
                        var rz = gx.Slice(b * GH, 2 * H);
                        TensorPrimitives.Add(rz, row[..(2 * H)], rz);
                        GateActivations.Sigmoid(rz);
                    }
                    // Gn = (r ⊙ h_{t-1}) W_hnᵀ + b_hn
                    for (int b = first; b < end; b++)
                        TensorPrimitives.Multiply(gx.Slice(b * GH, H), h.AsSpan(b * H, H), rh.AsSpan(b * H, H));
                    if (KeepActivations) rh.AsSpan(first * H, rows * H).CopyTo(resetHidden.AsSpan((t * B + first) * H, rows * H));
                    Gemm.Multiply(gemmThreads, false, rows, 1f, rh.AsSpan(first * H, rows * H), H, packedN!, 0f, hn.Slice(first * H, rows * H), H);
                    if (!hiddenBias.IsEmpty)
                        for (int b = first; b < end; b++) TensorPrimitives.Add(hn.Slice(b * H, H), hiddenBias[(2 * H)..], hn.Slice(b * H, H));
                    for (int b = first; b < end; b++)
                    {
                        if (!IsActive(t, b)) continue;
                        var row = gx.Slice(b * GH, GH);
                        var z = row.Slice(H, H);
                        var n = row.Slice(2 * H, H);
                        // n = tanh(Gx_n + Gn); h_t = n + z ⊙ (h_{t-1} - n)
                        TensorPrimitives.Add(n, hn.Slice(b * H, H), n);
                        GateActivations.Tanh(n);
                        var hb = h.AsSpan(b * H, H);
                        TensorPrimitives.Subtract(hb, n, work);
                        TensorPrimitives.MultiplyAdd(z, work, n, hb);
                    }
                    WriteOutput(t, h, output, outputWidth, column, first, end);
                }
            }
        });
        FinalHidden = h;
        ReturnStepBuffer(ref inputSide);
        ReturnStepBuffer(ref hiddenN);
    }

    public override (float[] H0Grad, float[]? C0Grad) Backward(ReadOnlyMemory<float> outputGrad, int outputWidth, int column,
        float[]? finalHiddenGrad, float[]? finalCellGrad, float[]? inputGrad, LayerGradients gradients)
    {
        EnsureActivationsHeld();
        int H = Hidden, B = Batch, GH = 3 * H;
        var dh = StateOrZeros(finalHiddenGrad, B * H);
        var dGx = BorrowStepGradients(Steps * B * GH);   // d loss / d (W_ih x + b_ih), zero rows where inactive
        var dGh = BorrowStepGradients(Steps * B * GH);   // d loss / d (h-side pre-activations incl. b_hh)
        var dhPrev = new float[B * H];
        var dRh = new float[B * H];
        int hRows = resetAfter ? GH : 2 * H;
        using var whh = Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: false, 0, hRows);
        using var whn = resetAfter ? default : Weights.Packed.Rent(Weights.HiddenWeights, H, transposed: false, 2 * H, H);
        var packedH = whh.Matrix;
        var packedN = resetAfter ? null : whn.Matrix;
        RowSums? inputBiasSums = BiasSums(gradients.InputBias, GH), hiddenBiasSums = BiasSums(gradients.HiddenBias, GH);

        RunRowBlocks(GH, (first, end, gemmThreads) =>
        {
            int count = end - first;
            var work = new float[H];
            float[]? inputBiasSum = inputBiasSums?.ForBlock(first), hiddenBiasSum = hiddenBiasSums?.ForBlock(first);
            for (int s = Steps - 1; s >= 0; s--)
            {
                int t = StepAt(s);
                AddOutputGrad(t, dh, outputGrad, outputWidth, column, first, end);
                var stepGx = dGx.AsSpan(t * B * GH, B * GH);
                var stepGh = dGh.AsSpan(t * B * GH, B * GH);
                for (int b = first; b < end; b++)
                {
                    if (!IsActive(t, b)) continue;
                    int row = t * B + b;
                    if (resetAfter)
                    {
                        // dz, dn, dr, the h-side gradients and the direct path dh ⊙ z in one pass (GruGateKernel.Backward)
                        GruGateKernel.Backward(inputSide.AsSpan(row * GH, GH), previousH.AsSpan(row * H, H), hiddenN.AsSpan(row * H, H),
                            dh.AsSpan(b * H, H), stepGx.Slice(b * GH, GH), stepGh.Slice(b * GH, GH), H);
                        continue;
                    }
                    var act = inputSide.AsSpan(row * GH, GH);
                    // Cho's form: dz and dn here, dr after the W_hn product below
                    var z = act.Slice(H, H);
                    var n = act.Slice(2 * H, H);
                    var hPrev = previousH.AsSpan(row * H, H);
                    var dhb = dh.AsSpan(b * H, H);
                    var dx = stepGx.Slice(b * GH, GH);
                    var dhid = stepGh.Slice(b * GH, GH);

                    // dz_pre = dh ⊙ (h_{t-1} - n) ⊙ z(1 - z)
                    TensorPrimitives.Subtract(hPrev, n, work);
                    TensorPrimitives.Multiply(work, dhb, work);
                    SigmoidBackward(z, work, dx.Slice(H, H));
                    // dn_pre = dh ⊙ (1 - z) ⊙ (1 - n²)
                    TensorPrimitives.Subtract(1f, z, work);
                    TensorPrimitives.Multiply(work, dhb, work);
                    TanhBackward(n, work, dx.Slice(2 * H, H));
                    dx.Slice(2 * H, H).CopyTo(dhid.Slice(2 * H, H)); // dr_pre follows after the W_hn product below
                    dx[H..(2 * H)].CopyTo(dhid.Slice(H, H));
                    // the direct path: dh_{t-1} = dh ⊙ z (the GEMM terms are added below)
                    TensorPrimitives.Multiply(dhb, z, dhb);
                }
                if (!resetAfter)
                {
                    // d(r⊙h) = dn_pre W_hn ;  dr_pre = d(r⊙h) ⊙ h_{t-1} ⊙ r(1 - r) ;  dh_{t-1} += d(r⊙h) ⊙ r
                    Gemm.Multiply(gemmThreads, false, count, 1f, stepGh.Slice(first * GH + 2 * H, count * GH - 2 * H), GH, packedN!, 0f, dRh.AsSpan(first * H, count * H), H);
                    for (int b = first; b < end; b++)
                    {
                        if (!IsActive(t, b)) continue;
                        int row = t * B + b;
                        var r = inputSide.AsSpan(row * GH, H);
                        var drh = dRh.AsSpan(b * H, H);
                        TensorPrimitives.Multiply(drh, previousH.AsSpan(row * H, H), work);
                        SigmoidBackward(r, work, stepGx.Slice(b * GH, H));
                        stepGx.Slice(b * GH, H).CopyTo(stepGh.Slice(b * GH, H));
                        TensorPrimitives.MultiplyAdd(drh, r, dh.AsSpan(b * H, H), dh.AsSpan(b * H, H));
                    }
                }
                // dh_{t-1} += dGh W_hh over the rows the h-side product used
                var (lo, hi) = ActiveRange(t, first, end);
                if (hi > lo)
                    Gemm.Multiply(gemmThreads, false, hi - lo, 1f, stepGh.Slice(lo * GH, (hi - lo) * GH), GH, packedH, 0f, dhPrev.AsSpan(lo * H, (hi - lo) * H), H);
                for (int b = first; b < end; b++)
                {
                    if (!IsActive(t, b)) continue;
                    var dhb = dh.AsSpan(b * H, H);
                    TensorPrimitives.Add(dhb, dhPrev.AsSpan(b * H, H), dhb);
                    // the step's gradient rows are complete: the bias gradients sum them
                    if (inputBiasSum is not null) TensorPrimitives.Add(inputBiasSum, stepGx.Slice(b * GH, GH), inputBiasSum);
                    if (hiddenBiasSum is not null) TensorPrimitives.Add(hiddenBiasSum, stepGh.Slice(b * GH, GH), hiddenBiasSum);
                }
            }
        });

        int rows = Steps * B;
        if (resetAfter)
        {
            Gemm.Multiply(true, false, GH, H, rows, 1f, dGh, GH, previousH, H, 0f, gradients.HiddenWeights, H);
        }
        else
        {
            // r and z rows see h_{t-1}; the n rows see r ⊙ h_{t-1}
            Gemm.Multiply(true, false, 2 * H, H, rows, 1f, dGh, GH, previousH, H, 0f, gradients.HiddenWeights, H);
            Gemm.Multiply(true, false, H, H, rows, 1f, dGh.AsSpan(2 * H), GH, resetHidden, H, 0f, gradients.HiddenWeights.AsSpan(2 * H * H), H);
        }
        hiddenBiasSums?.AddTo(gradients.HiddenBias!);
        InputWeightGradient(dGx, GH, gradients);
        InputGradient(dGx, GH, inputGrad);
        inputBiasSums?.AddTo(gradients.InputBias!);
        return (dh, null);
    }
}
