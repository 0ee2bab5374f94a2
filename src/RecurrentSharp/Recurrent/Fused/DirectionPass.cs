using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// One direction of one fused recurrent layer: the forward pass over all time steps, the activations it
/// keeps, and backpropagation through time over the same steps in reverse order.
/// </summary>
/// <remarks>
/// <para>Layout. The layer input X is time-major (T, B, I), flattened to T·B rows. The gate
/// pre-activations of all steps live in one (T·B, G·H) buffer: G = 1 (Elman), 4 (LSTM: i, f, g, o),
/// 3 (GRU: r, z, n; coupled LSTM: i, g, o). This direction writes its hidden states into columns
/// [column, column + H) of the (T, B, width) output.</para>
/// <para>Structure (shared by every cell):
/// forward  — one GEMM for the input projections of all steps, X · W_ihᵀ (or, in some LSTM and GRU inference passes,
///            x_t · W_ihᵀ at each step: <see cref="ProjectsInputsPerStep(int)"/>); then per step one
///            recurrent GEMM h_{t-1} · W_hhᵀ and one fused gate kernel;
/// backward — per step, in reverse processing order, the gate kernel's chain rule and one GEMM
///            dGates_t · W_hh for d h_{t-1}; after the loop, the weight gradients as single GEMMs
///            over all T·B rows: dW_ih = dGatesᵀ X, dW_hh = dGatesᵀ H_prev, and dX = dGates · W_ih.</para>
/// <para>Variable lengths. Sequence b has its steps 0 .. len_b - 1. At a step t ≥ len_b the row is
/// inactive: its state is carried unchanged and its output is 0. So the forward direction ends at its
/// own last step, and the reverse direction (t = T-1 .. 0) starts at t = len_b - 1 from h0 — PyTorch's
/// packed-sequence semantics.</para>
/// </remarks>
internal abstract class DirectionPass
{
    protected DirectionPass(LayerWeights weights, Tensors.Tensor input, int steps, int batch, int inputSize, int hiddenSize,
        bool reverse, int[]? lengths, bool keepActivations)
    {
        Weights = weights;
        InputTensor = input;
        Steps = steps;
        Batch = batch;
        InputSize = inputSize;
        Hidden = hiddenSize;
        Reverse = reverse;
        Lengths = lengths;
        KeepActivations = keepActivations;
    }

    public LayerWeights Weights { get; }

    /// <summary>The layer input X, (T, B, I) time-major.</summary>
    public Tensors.Tensor InputTensor { get; }

    /// <summary>The layer input X as (T·B, I) row-major values.</summary>
    public ReadOnlySpan<float> Input => InputTensor.Data;

    public int Steps { get; }
    public int Batch { get; }
    public int InputSize { get; }
    public int Hidden { get; }
    public bool Reverse { get; }
    public int[]? Lengths { get; }

    /// <summary>False for inference: the activations needed only by backward are not stored.</summary>
    public bool KeepActivations { get; }

    /// <summary>The final hidden state (B, H) after forward.</summary>
    public float[] FinalHidden { get; protected set; } = [];

    /// <summary>The final cell state (B, H) after forward (LSTM only).</summary>
    public float[]? FinalCell { get; protected set; }

    /// <summary>The time index of the s-th step in processing order.</summary>
    protected int StepAt(int s) => Reverse ? Steps - 1 - s : s;

    /// <summary>True when sequence <paramref name="b"/> has a real element at time <paramref name="t"/>.</summary>
    protected bool IsActive(int t, int b) => Lengths is null || t < Lengths[b];

    /// <summary>Runs the direction over all steps, writing h_t into the output columns [column, column + H).</summary>
    public abstract void Forward(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, float[] output, int outputWidth, int column);

    /// <summary>
    /// Backpropagation through time. <paramref name="outputGrad"/> is d loss / d output (T, B, width) or
    /// empty (no gradient); <paramref name="finalHiddenGrad"/> / <paramref name="finalCellGrad"/> are d loss / d h_n, c_n
    /// (B, H) or null. Adds d loss / d X into <paramref name="inputGrad"/> (if not null) and the weight
    /// gradients into <paramref name="gradients"/>; returns d loss / d h0 and d loss / d c0.
    /// </summary>
    public abstract (float[] H0Grad, float[]? C0Grad) Backward(ReadOnlyMemory<float> outputGrad, int outputWidth, int column,
        float[]? finalHiddenGrad, float[]? finalCellGrad, float[]? inputGrad, LayerGradients gradients);

    // ------------------------------------------------------------ pieces every cell shares

    /// <summary>
    /// Gx = X · W_ihᵀ: the input projections of all steps in one GEMM. The biases are not added here but row by row in the
    /// step loop (<see cref="AddBias"/>), just before the gate kernel reads the row, which the step's product has
    /// brought into L1: a pass over the whole (T·B, G·H) buffer here read and wrote it through memory (26 MB for B = 64,
    /// T = 100, 4H = 1024: 1.2–1.7 ms on an EPYC, 2–3% of the LSTM pass).
    /// </summary>
    /// <remarks>
    /// Inference multiplies by W_ih packed once and kept while its bits stay the same (<see cref="PackedWeightCache"/>): the product
    /// packed W_ih again at every pass (with W_hh's packing, 10.9% of the latency configuration's perf samples). Training packs it
    /// inside the product as before, and so does a W_ih too large to keep (<see cref="PackedWeightCache.MaxReusedBytes"/>), rather than
    /// packing it whole at every pass (measured level on wide and deep, within a noisy hour's spread).
    /// </remarks>
    protected void ProjectInputs(float[] gatesBuffer, int gateWidth)
    {
        int rows = Steps * Batch;
        if (KeepActivations || !PackedWeightCache.Keeps((long)gateWidth * InputSize * sizeof(float)))
        {
            Gemm.Multiply(false, true, rows, gateWidth, InputSize, 1f, Input, InputSize, Weights.InputWeights, InputSize, 0f, gatesBuffer, gateWidth);
            return;
        }
        using var wihT = PackedInputWeights(gateWidth);
        Gemm.Multiply(KernelThreads.Count, false, rows, 1f, Input, InputSize, wihT.Matrix, 0f, gatesBuffer, gateWidth);
    }

    /// <summary>W_ihᵀ packed for the forward products, kept between inference passes while unchanged (<see cref="PackedWeightCache"/>).</summary>
    protected PackedWeightCache.Lease PackedInputWeights(int gateWidth) =>
        Weights.PackedInput.Rent(Weights.InputWeights, InputSize, transposed: true, 0, gateWidth, reuseUnchanged: !KeepActivations);

    /// <summary>Rows [firstRow, firstRow + rows) of W_hh, transposed and packed for the forward step products, kept between inference passes while unchanged.</summary>
    protected PackedWeightCache.Lease PackedHiddenWeights(int firstRow, int rows) =>
        Weights.Packed.Rent(Weights.HiddenWeights, Hidden, transposed: true, firstRow, rows, reuseUnchanged: !KeepActivations);

    /// <summary>
    /// The input width from which an inference pass (LSTM, and GRU in PyTorch's form) projects each step's input in the step loop,
    /// x_t W_ihᵀ against a packed W_ih (kept between passes, <see cref="PackedWeightCache"/>) and then h_{t-1} W_hhᵀ onto the same rows, instead of <see cref="ProjectInputs"/>
    /// for all steps first. The all-steps product writes a (T·B, G·H) buffer through memory (26 MB at B = 64, T = 100, 4H = 1024) that each step
    /// then reads back; per step, the rows stay in cache between the two products and the buffer holds one step. Taken only while
    /// W_ih fits a core's L2: a larger W_ih streams from L3 at every step, and with few rows per step (wide: B = 16, W_ih 16 MB)
    /// that product ran far below the all-steps one.
    /// </summary>
    internal static int StepInputMinimum = 64;

    /// <summary>
    /// The batch from which <see cref="StepInputMinimum"/>'s step-by-step projection is taken. Each step's product reads all of W_ih for
    /// B rows, B/2 FLOPs per byte, where the all-steps product reads it once for T·B rows; and W_ih does not stay in L2 between steps,
    /// since W_hh streams through it too. On the AVX2 EPYC (512 KB of L2), LSTM I = 128, H = 256, T = 100, min of 2 s of passes in
    /// interleaved pairs: B = 1 (the latency configuration) 2.83/2.83/2.89 ms step by step against 2.17/2.35/2.31 all steps first on
    /// 1 thread, 2.01/2.00/1.81 against 1.76/1.88/1.60 on 2; B = 2 3.68/3.40 against 3.07/3.44; B = 4 level (4.87/4.65 against
    /// 4.84/4.66); B = 8 9.32/9.05 against 8.81/9.24 on 1 thread, 6.70/8.40 against 7.46/6.77 on 2 (level); B = 16 17.9/18.0
    /// against 22.3/18.6. At B = 64 the step-by-step pass was about 4% faster (7a257ea). The reason given first is our reading of these
    /// figures, not a measurement of the caches.
    /// </summary>
    internal static int StepInputMinimumBatch = 8;

    private static long stepInputPasses;

    /// <summary>How many passes so far projected their inputs step by step (tests check it is taken).</summary>
    internal static long StepInputPasses => Interlocked.Read(ref stepInputPasses);

    /// <summary>
    /// Whether this pass projects each step's input in the step loop: inference only, an input at least <see cref="StepInputMinimum"/>
    /// wide, a batch of at least <see cref="StepInputMinimumBatch"/>, and W_ih ((G·H) × I) within a core's L2, unless W_hh fits L2 alone
    /// and not beside W_ih (a 2-layer bidirectional LSTM's second layer, I = 256, H = 128: W_hh 256 KB, W_ih 512 KB, against 512 KB
    /// of L2). Our reading: the all-steps product lets every step find W_hh in L2, where step by step both come from L3 (not measured
    /// in the caches). On the AVX2 EPYC, that layer alone unidirectional (B = 64, T = 60), scratch harness, min of 2 s, step by step
    /// against all steps first: 2 threads 15.2/15.5/13.8 against 11.8/13.1/10.8 ms, a gain; 1 thread 20.9/20.3/19.7 against
    /// 21.8/21.0/21.2, a loss of about 4%, taken for the 2-thread gain. (<c>rnn bench rnn --config bilstm-varlen</c>'s medians, 72.3/70.4/
    /// 43.7/41.9 → 43.0/56.0/36.0/40.8 ms at 2 threads, moved as much from pair to pair as between the two.) Counted when taken.
    /// </summary>
    protected bool ProjectsInputsPerStep(int gateWidth)
    {
        bool taken = ProjectsInputsPerStep(KeepActivations, InputSize, Hidden, Batch, gateWidth);
        if (taken) Interlocked.Increment(ref stepInputPasses);
        return taken;
    }

    /// <inheritdoc cref="ProjectsInputsPerStep(int)"/>
    internal static bool ProjectsInputsPerStep(bool keepActivations, int inputSize, int hiddenSize, int batch, int gateWidth)
    {
        long inputWeights = (long)gateWidth * inputSize * sizeof(float), hiddenWeights = (long)gateWidth * hiddenSize * sizeof(float);
        bool evictsHiddenWeights = hiddenWeights <= CacheSizes.L2 && hiddenWeights + inputWeights > CacheSizes.L2;
        return !keepActivations && inputSize >= StepInputMinimum && batch >= StepInputMinimumBatch && inputWeights <= CacheSizes.L2
            && !evictsHiddenWeights;
    }

    /// <summary>row += bias (nothing when the layer has no bias).</summary>
    protected static void AddBias(Span<float> row, ReadOnlySpan<float> bias)
    {
        if (!bias.IsEmpty) TensorPrimitives.Add(row, bias, row);
    }

    /// <summary>
    /// The batch split across the cores. Row b of step t reads only row b of step t−1 (h_{t-1} W_hhᵀ, the gates, and backward's
    /// dG_t W_hh are all row by row), so the rows can be split once per pass and each thread run every step over its own
    /// block: no exchange and no barrier between steps, and the gate kernels run on every core. Each thread then reads all
    /// of W_hh at every step, so the split is taken only when W_hh is at most 8 times a core's L2 (<see cref="CacheSizes.L2"/>) and every
    /// block keeps at least one microkernel panel of rows; otherwise the rows stay together and each step's product is split by columns.
    /// </summary>
    /// <remarks>
    /// The bound was L2 itself, on the idea that W_hh must stay in a core's L2 between steps. But W_hh streams through the product in
    /// L2-sized column blocks anyway, and from L3 it costs little: a block of r rows does r/2 FLOPs per byte of W_hh it reads
    /// (8 for deep's 16 rows, 11 GB/s per core at 90 GFLOP/s), far below what L3 delivers, while the split saves two hand-offs
    /// between the threads per step and runs the gate kernels on both cores without them. On the AVX2 EPYC (512 KB of L2), 2 threads,
    /// min of 4–5 s of passes, twice each, interleaved: deep LSTM (W_hh 4 MB) inference 91.6/91.8 → 81.6/84.2 ms, training
    /// 363/331 → 339/299 ms; medium GRU (768 KB) training 111.6/95.2 → 98.7/85.1 ms; medium LSTM (1 MB) inference 33.3/33.3 →
    /// 33.2/31.8 ms; deep GRU (3 MB) inference level (63.5/67.6 → 65.0/63.9). Only that machine was measured: on 1 MB-L2 machines
    /// the bound (8 MB) now splits the deep layers too, and on a 2 MB-L2 Xeon it would let each thread stream a 16 MB W_hh, which
    /// a small L3 may not hold.
    /// </remarks>
    internal static int MinRowsPerBlock = 12;

    /// <inheritdoc cref="MinRowsPerBlock"/>
    internal static long MaxSplitWeightBytes = 8 * CacheSizes.L2;

    /// <summary>One block of batch rows [first, end) run through every step; its products may use <paramref name="gemmThreads"/> threads.</summary>
    protected delegate void RowBlock(int first, int end, int gemmThreads);

    /// <summary>Runs <paramref name="body"/> over the batch: one row block per thread (see <see cref="MinRowsPerBlock"/>), or all rows on the caller.</summary>
    protected void RunRowBlocks(int gateWidth, RowBlock body)
    {
        int threads = KernelThreads.Count;
        int blocks = Math.Min(threads, Batch / MinRowsPerBlock);
        if (blocks <= 1 || (long)gateWidth * Hidden * sizeof(float) > MaxSplitWeightBytes)
        {
            body(0, Batch, threads);
            return;
        }
        Interlocked.Increment(ref splitPasses);
        var starts = BlockStarts(Batch, blocks, Gemm.PanelRows);
        KernelThreads.For(blocks, block => body(starts[block], starts[block + 1], 1));
    }

    /// <summary>
    /// Where each of <paramref name="blocks"/> row blocks of <paramref name="batch"/> rows starts (and, last, the end): an even split,
    /// except that a block which would end with one row past its last whole panel (<paramref name="panelRows"/> gives the rows per
    /// panel for a block of n rows, as the GEMM driver packs them) gives that row to the next block. On AVX2 (6-row panels) B = 50
    /// on 2 threads splits 24 + 26, not 25 + 25: the one-row kernel, which took the 25th row of each block, runs at about half the
    /// speed of the others (3% of mnist-rows inference on 2 threads, perf). On AVX-512 the driver packs 25 rows as 10 + 10 + 5, so
    /// 25 + 25 stays.
    /// </summary>
    internal static int[] BlockStarts(int batch, int blocks, Func<int, int> panelRows)
    {
        var starts = new int[blocks + 1];
        for (int block = 1; block < blocks; block++)
        {
            int start = block * batch / blocks, size = start - starts[block - 1];
            int rows = panelRows(size);
            if (rows > 1 && size % rows == 1) start--;
            starts[block] = start;
        }
        starts[blocks] = batch;
        return starts;
    }

    /// <summary>
    /// The element-wise part of each step (gate kernels, output rows) over the rows [first, end), split again across the threads
    /// whenever the step's product may use several, that is when <see cref="RunRowBlocks"/> kept the rows together (W_hh more than
    /// 8 times L2, or too few rows for a block per thread) and there are at least 4 rows per part. Before, the gate kernels ran
    /// on one core while the others waited, 44 µs of each 380 µs step of a 2-layer B = 32, H = 512 LSTM on 2 threads (measured when
    /// that layer's 4 MB W_hh kept its rows together; it is split by rows now). Made once per pass, with a body that reads the step
    /// from its closure;
    /// <see cref="Run"/> allocates nothing. With one thread, or too few rows to share, the body runs on the caller.
    /// </summary>
    protected sealed class StepRows : ParallelJob
    {
        /// <summary>Rows below which a part is not worth a hand-off to another thread.</summary>
        private const int MinRowsPerPart = 4;
        private readonly Action<int, int> body;
        private readonly int first, end, parts;

        public StepRows(Action<int, int> body, int first, int end, int threads)
        {
            this.body = body;
            this.first = first;
            this.end = end;
            parts = Math.Max(1, Math.Min(threads, (end - first) / MinRowsPerPart));
        }

        /// <summary>Runs the body over every row once, in <c>parts</c> contiguous blocks.</summary>
        public void Run()
        {
            if (parts == 1) body(first, end);
            else KernelThreads.Run(this, parts, parts);
        }

        public override void Execute(int part) => body(first + (end - first) * part / parts, first + (end - first) * (part + 1) / parts);
    }

    private static long splitPasses;

    /// <summary>How many passes so far split their batch into row blocks (tests check the split is taken).</summary>
    internal static long SplitPasses => Interlocked.Read(ref splitPasses);

    /// <summary>
    /// The rows [lo, hi) of [first, end) between the first and the last sequence still running at step <paramref name="t"/>
    /// (empty when none is): a step's product runs over these only, since an ended row keeps its state and needs none.
    /// In a batch sorted by length (as PyTorch's packed sequences are) the running rows sit side by side, so the late
    /// steps multiply only the long sequences' rows.
    /// </summary>
    protected (int Lo, int Hi) ActiveRange(int t, int first, int end)
    {
        if (Lengths is null) return (first, end);
        int lo = first, hi = end;
        while (lo < hi && !IsActive(t, lo)) lo++;
        while (hi > lo && !IsActive(t, hi - 1)) hi--;
        return (lo, hi);
    }

    /// <summary>
    /// Copies h_t of rows [first, end) into their output slots (0 for inactive rows): in one copy when the slots are the
    /// whole output rows and every sequence runs (a copy per row of 100 units cost about 2% of mnist-rows inference).
    /// </summary>
    protected void WriteOutput(int t, ReadOnlySpan<float> h, float[] output, int outputWidth, int column) => WriteOutput(t, h, output, outputWidth, column, 0, Batch);

    /// <inheritdoc cref="WriteOutput(int, ReadOnlySpan{float}, float[], int, int)"/>
    protected void WriteOutput(int t, ReadOnlySpan<float> h, float[] output, int outputWidth, int column, int first, int end)
    {
        if (Lengths is null && outputWidth == Hidden)
        {
            h.Slice(first * Hidden, (end - first) * Hidden).CopyTo(output.AsSpan((t * Batch + first) * Hidden, (end - first) * Hidden));
            return;
        }
        for (int b = first; b < end; b++)
        {
            var slot = output.AsSpan((t * Batch + b) * outputWidth + column, Hidden);
            if (IsActive(t, b)) h.Slice(b * Hidden, Hidden).CopyTo(slot);
            else slot.Clear();
        }
    }

    /// <summary>
    /// Copies the rows (B, H) of <paramref name="source"/> into <paramref name="state"/> for the sequences
    /// active at step <paramref name="t"/>; the others keep their state (the carry past a sequence's end).
    /// </summary>
    protected void UpdateActiveRows(int t, ReadOnlySpan<float> source, Span<float> state) => UpdateActiveRows(t, source, state, 0, Batch);

    /// <inheritdoc cref="UpdateActiveRows(int, ReadOnlySpan{float}, Span{float})"/>
    protected void UpdateActiveRows(int t, ReadOnlySpan<float> source, Span<float> state, int first, int end)
    {
        if (Lengths is null)
        {
            source.Slice(first * Hidden, (end - first) * Hidden).CopyTo(state.Slice(first * Hidden, (end - first) * Hidden));   // every row runs: one copy
            return;
        }
        for (int b = first; b < end; b++)
            if (IsActive(t, b)) source.Slice(b * Hidden, Hidden).CopyTo(state.Slice(b * Hidden, Hidden));
    }

    /// <summary>dh_b += dy[t, b] for the active rows (padded steps carry no output gradient).</summary>
    protected void AddOutputGrad(int t, Span<float> dh, ReadOnlyMemory<float> outputGrad, int outputWidth, int column) => AddOutputGrad(t, dh, outputGrad, outputWidth, column, 0, Batch);

    /// <inheritdoc cref="AddOutputGrad(int, Span{float}, ReadOnlyMemory{float}, int, int)"/>
    protected void AddOutputGrad(int t, Span<float> dh, ReadOnlyMemory<float> outputGrad, int outputWidth, int column, int first, int end)
    {
        if (outputGrad.IsEmpty) return;
        var dy = outputGrad.Span;
        for (int b = first; b < end; b++)
        {
            if (!IsActive(t, b)) continue;
            var dhRow = dh.Slice(b * Hidden, Hidden);
            TensorPrimitives.Add(dhRow, dy.Slice((t * Batch + b) * outputWidth + column, Hidden), dhRow);
        }
    }

    // After the time loop. The gradients (T·B, gateWidth) have zero rows at inactive steps; the products write their results
    // (beta = 0), whose arrays are not zeroed first.

    /// <summary>
    /// Elman and LSTM, where the same dG multiplies both: dW_hh = dGᵀ H_prev and dW_ih = dGᵀ X, with dGᵀ packed once for the
    /// two products (<see cref="Gemm.MultiplySharedLeft(bool, bool, int, int, float, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, int, Span{float}, int, int, ReadOnlySpan{float}, int, Span{float}, int, float)"/>).
    /// </summary>
    protected void WeightGradients(float[] gateGrads, int gateWidth, float[] previousH, LayerGradients gradients)
    {
        Gemm.MultiplySharedLeft(true, false, gateWidth, Steps * Batch, 1f, gateGrads, gateWidth,
            Hidden, previousH, Hidden, gradients.HiddenWeights, Hidden,
            InputSize, Input, InputSize, gradients.InputWeights, InputSize, 0f);
    }

    /// <summary>dW_ih = dGᵀ X alone (GRU, whose hidden side has gradients of its own).</summary>
    protected void InputWeightGradient(float[] gateGrads, int gateWidth, LayerGradients gradients)
    {
        Gemm.Multiply(true, false, gateWidth, InputSize, Steps * Batch, 1f, gateGrads, gateWidth, Input, InputSize, 0f, gradients.InputWeights, InputSize);
    }

    /// <summary>dX = dG · W_ih, when the input wants a gradient.</summary>
    protected void InputGradient(float[] gateGrads, int gateWidth, float[]? inputGrad)
    {
        if (inputGrad is not null)
            Gemm.Multiply(false, false, Steps * Batch, InputSize, gateWidth, 1f, gateGrads, gateWidth, Weights.InputWeights, InputSize, 0f, inputGrad, InputSize);
    }

    /// <summary>
    /// Sums of gradient rows (a bias's gradient is Σ over all (t, b) of its rows), added while the rows are in cache: each row
    /// block adds its rows just after the step wrote them, into a sum of its own, and <see cref="AddTo"/> adds the blocks' sums in
    /// block order. Before, a pass after the time loop read the whole (T·B, width) buffer back through memory (26 MB for
    /// B = 64, T = 100, 4H = 1024), once per gradient buffer.
    /// </summary>
    protected sealed class RowSums(int width)
    {
        private readonly SortedList<int, float[]> blocks = [];

        /// <summary>The sum the row block starting at <paramref name="first"/> adds its rows into.</summary>
        public float[] ForBlock(int first)
        {
            var sum = new float[width];
            lock (blocks) blocks.Add(first, sum);
            return sum;
        }

        /// <summary>total += every block's sum (block order, so every run adds in the same order).</summary>
        public void AddTo(Span<float> total)
        {
            foreach (var sum in blocks.Values) TensorPrimitives.Add(total, sum, total);
        }
    }

    /// <summary>Elman and LSTM: b_ih and b_hh enter the same sum, so both get the same gradient, Σ over rows of dG.</summary>
    protected static void AddSharedBiasGradients(RowSums? sums, LayerGradients gradients)
    {
        if (sums is null) return;
        if (gradients.InputBias is not null) sums.AddTo(gradients.InputBias);
        if (gradients.HiddenBias is not null) sums.AddTo(gradients.HiddenBias);
    }

    /// <summary>The row sums for a layer's bias gradient (null without biases).</summary>
    protected static RowSums? BiasSums(float[]? biasGrad, int width) => biasGrad is null ? null : new RowSums(width);

    private readonly List<float[]> borrowed = [];
    private bool released;

    /// <summary>
    /// A buffer of T·B rows for this pass (the gate pre-activations, the states backward needs, backward's gradients),
    /// borrowed from the pool (<see cref="PooledActivations"/>; exactly as long as asked, and not zeroed unless
    /// <paramref name="zeroed"/>) and held until <see cref="Release"/>.
    /// </summary>
    protected float[] Borrow(int length, bool zeroed = false)
    {
        var buffer = PooledActivations.Borrow(length);
        if (zeroed) buffer.AsSpan(0, length).Clear();
        lock (borrowed) borrowed.Add(buffer);
        return buffer;
    }

    /// <summary>Gives a forward-pass buffer back at the end of an inference pass (training keeps it for backward, until <see cref="Release"/>).</summary>
    protected void ReturnStepBuffer(ref float[] buffer)
    {
        if (KeepActivations) return;
        lock (borrowed) borrowed.Remove(buffer);
        PooledActivations.GiveBack(buffer);
        buffer = [];
    }

    /// <summary>
    /// The gradient rows of every step, zeroed where a sequence has ended (the post-loop products read every row; with
    /// no lengths the step loop writes them all).
    /// </summary>
    protected float[] BorrowStepGradients(int length) => Borrow(length, zeroed: Lengths is not null);

    /// <summary>Gives every borrowed buffer back; called once backward has used them. The pass cannot run backward again.</summary>
    public void Release()
    {
        lock (borrowed)
        {
            released = true;
            foreach (var buffer in borrowed) PooledActivations.GiveBack(buffer);
            borrowed.Clear();
        }
    }

    /// <summary>Backward's first check: the activations it reads must not have been given back already.</summary>
    protected void EnsureActivationsHeld()
    {
        if (released)
            throw new InvalidOperationException("Backward through a fused recurrent layer a second time: its activations were given back after the first backward. Run the forward pass again (PyTorch raises the same without retain_graph).");
    }

    /// <summary>Copies <paramref name="source"/> into a new array, or returns zeros when it is empty.</summary>
    protected static float[] StateOrZeros(ReadOnlySpan<float> source, int length)
    {
        var state = new float[length];
        if (!source.IsEmpty) source.CopyTo(state);
        return state;
    }

    /// <summary>dst = d ⊙ s ⊙ (1 - s): the chain rule through s = σ(a) (dst may be d).</summary>
    protected static void SigmoidBackward(ReadOnlySpan<float> s, ReadOnlySpan<float> d, Span<float> dst) => ActivationGradients.Sigmoid(s, d, dst);

    /// <summary>dst = d ⊙ (1 - y²): the chain rule through y = tanh(a) (dst may be d).</summary>
    protected static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> d, Span<float> dst) => ActivationGradients.Tanh(y, d, dst);
}
