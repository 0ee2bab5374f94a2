using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The geometry of one 2-d convolution of a channels-last image (H, W, C) into (OH, OW, O): a KH x KW window moved by
/// <see cref="Stride"/>, <see cref="PadTop"/> zero rows above and <see cref="PadLeft"/> zero columns on the left (those
/// below and on the right follow from the output size, as ONNX's per-side pads).
/// </summary>
public readonly record struct ConvolutionShape(int Height, int Width, int Channels, int KernelH, int KernelW, int Stride,
    int PadTop, int PadLeft, int OutH, int OutW, int OutChannels)
{
    /// <summary>KH·KW·C: the length of one window, the inner dimension of the product.</summary>
    public int Depth => KernelH * KernelW * Channels;

    /// <summary>OH·OW output positions.</summary>
    public int Positions => OutH * OutW;

    /// <summary>Rows of the zero-bordered copy of the input that every window fits in: (OH − 1)·stride + KH.</summary>
    internal int PaddedHeight => (OutH - 1) * Stride + KernelH;

    /// <summary>Columns of that copy: (OW − 1)·stride + KW.</summary>
    internal int PaddedWidth => (OutW - 1) * Stride + KernelW;

    /// <summary>True when some window reaches past the input, so the kernel reads a zero-bordered copy instead of the input.</summary>
    internal bool NeedsPadding => PadTop > 0 || PadLeft > 0 || PaddedHeight > Height || PaddedWidth > Width;

    /// <summary>Floats of scratch <see cref="DirectConvolution"/> needs for this shape (the bordered copy), 0 when none.</summary>
    public int ScratchSize => NeedsPadding ? PaddedHeight * PaddedWidth * Channels : 0;
}

/// <summary>
/// A convolution computed straight from the channels-last image, with no im2row matrix and no packing of the image:
/// <code>
/// out[y, x, o] = act( bias[o] + residual[y, x, o]
///                     + Σ_{ki &lt; KH} Σ_{kj &lt; KW} Σ_{c &lt; C} in[y·s − padTop + ki, x·s − padLeft + kj, c] · w[(ki, kj, c), o] )
/// </code>
/// where act is ReLU or nothing, the residual is optional and w is the kernel as a (KH·KW·C) x O matrix packed by
/// <see cref="Gemm.PackB(bool, int, int, ReadOnlySpan{float}, int, PackedMatrix?)"/> into 32-column panels (so the
/// weights are laid out once, at load). For fixed ki, the window's (kj, c) values are one contiguous run of KW·C floats
/// of an image row, and the kernel rows (ki, kj, c) are consecutive in the packed panel: each ki is a plain loop over
/// that run. Windows past the image's edge read a zero-bordered copy of it (in scratch).
///
/// Register tile (AVX-512): 6 output positions x 64 output channels, 24 zmm accumulators. Per step of the window
/// (one (ki, kj, c)): 4 weight vectors loaded, the input value of each of the 6 positions broadcast, 24 FMAs —
/// 10 loads per 24 FMAs, so the FMA ports and not the loads set the pace. The 6 positions are consecutive in
/// (y, x) order (a tile may wrap to the next output row: each position has its own input pointer). Bias, the
/// residual and ReLU are applied to the accumulators before the one store ("epilogue"): no extra pass over the output.
/// Work is split over threads by (64-channel block, run of position tiles); a block's weights stay in L2 while its
/// tiles run. <see cref="RunScalar"/> is the plain-loop twin with the same layout (the tests hold both to a reference).
/// </summary>
public static unsafe class DirectConvolution
{
    /// <summary>Output positions per register tile.</summary>
    internal const int TilePositions = 6;

    /// <summary>
    /// Steps (window elements) per depth chunk when a block's weights are larger than <see cref="ChunkAboveSteps"/> steps:
    /// the chunk's 256 x 64 weights (64 KB) are read by every tile of the unit while they are in L1/L2. Measured on
    /// ResNet-18's 7x7x512 layers (K = 4608, 1.2 MB of weights per block): 2.2 ms against 2.5 ms unchunked; 128 and
    /// 64 were slower, and chunking the smaller layers (K ≤ 1152) cost more (partial sums through memory) than it saved.
    /// </summary>
    internal static int DepthChunk = 256;

    /// <summary>Depths up to this run unchunked (a block's weights up to 512 KB stream well from L2).</summary>
    internal static int ChunkAboveSteps = 2048;

    /// <summary>The packed panel width the vector kernel reads (two panels, 64 channels, per tile).</summary>
    internal const int PanelWidth = 32;

    /// <summary>Biases <see cref="Run"/> reads for <paramref name="outChannels"/> channels: a whole number of 64-channel blocks (pad with zeros).</summary>
    public static int BiasLength(int outChannels) => (outChannels + 2 * PanelWidth - 1) / (2 * PanelWidth) * 2 * PanelWidth;

    /// <summary>True when this process runs <see cref="Run"/> with the vector kernel (AVX-512 and a kernel packed for it).</summary>
    public static bool Accelerated(PackedMatrix kernel) => Vector512.IsHardwareAccelerated && kernel.PanelWidth == PanelWidth;

    /// <summary>
    /// Computes the convolution (see the type's summary) on up to <paramref name="threads"/> threads.
    /// <paramref name="bias"/> has <see cref="BiasLength"/>(O) values (zeros past O); <paramref name="residual"/> is empty or (OH, OW, O) like
    /// <paramref name="output"/>; <paramref name="scratch"/> holds <see cref="ConvolutionShape.ScratchSize"/> floats.
    /// Needs <see cref="Accelerated"/>; otherwise use <see cref="RunScalar"/> or im2row with <see cref="Gemm"/>.
    /// </summary>
    public static void Run(in ConvolutionShape shape, ReadOnlySpan<float> input, PackedMatrix kernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, bool relu, Span<float> output, Span<float> scratch, int threads)
    {
        Check(shape, input, kernel, bias, residual, output, scratch);
        if (bias.Length < BiasLength(shape.OutChannels))
            throw new ArgumentException($"DirectConvolution: {bias.Length} biases, the vector kernel reads {BiasLength(shape.OutChannels)} (pad with zeros).");
        if (!Accelerated(kernel)) throw new InvalidOperationException("DirectConvolution.Run needs AVX-512 and a kernel packed in 32-column panels.");
        fixed (float* pi = input, pb = bias, pr = residual, po = output, ps = scratch)
        {
            var (source, rowStride) = Source(shape, pi, ps);
            var job = perThread ??= new Job();
            job.Set(shape, source, rowStride, kernel, pb, residual.IsEmpty ? null : pr, relu, po, threads);
            KernelThreads.Run(job, job.Units, threads);
            job.Clear();
        }
    }

    /// <summary>
    /// The scalar twin of <see cref="Run"/>: the same source (the input or its zero-bordered copy), the same packed
    /// weights read by index (element (p, o) at <c>(o / NR)·NR·K + p·NR + o % NR</c>), the same epilogue; one thread.
    /// </summary>
    public static void RunScalar(in ConvolutionShape shape, ReadOnlySpan<float> input, PackedMatrix kernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, bool relu, Span<float> output, Span<float> scratch)
    {
        Check(shape, input, kernel, bias, residual, output, scratch);
        int k = shape.Depth, nr = kernel.PanelWidth, run = shape.KernelW * shape.Channels;
        fixed (float* pi = input, ps = scratch)
        {
            var (start, rowStride) = Source(shape, pi, ps);
            float* source = (float*)start, w = kernel.Data;
            for (int y = 0; y < shape.OutH; y++)
                for (int x = 0; x < shape.OutW; x++)
                {
                    float* origin = source + (nint)y * shape.Stride * rowStride + (nint)x * shape.Stride * shape.Channels;
                    int position = y * shape.OutW + x;
                    for (int o = 0; o < shape.OutChannels; o++)
                    {
                        float* panel = w + (nint)(o / nr) * nr * k + o % nr;
                        float sum = 0f;
                        for (int ki = 0; ki < shape.KernelH; ki++)
                            for (int q = 0; q < run; q++)
                                sum += origin[ki * rowStride + q] * panel[(nint)(ki * run + q) * nr];
                        int at = position * shape.OutChannels + o;
                        sum += bias[o];
                        if (!residual.IsEmpty) sum += residual[at];
                        output[at] = relu ? MathF.Max(sum, 0f) : sum;
                    }
                }
        }
    }

    private static void Check(in ConvolutionShape shape, ReadOnlySpan<float> input, PackedMatrix kernel, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> residual, ReadOnlySpan<float> output, ReadOnlySpan<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        int outSize = shape.Positions * shape.OutChannels;
        if (shape.Height < 1 || shape.Width < 1 || shape.Channels < 1 || shape.KernelH < 1 || shape.KernelW < 1 || shape.Stride < 1
            || shape.PadTop < 0 || shape.PadLeft < 0 || shape.OutH < 1 || shape.OutW < 1 || shape.OutChannels < 1)
            throw new ArgumentException($"DirectConvolution: invalid shape {shape}.");
        if (kernel.Rows != shape.Depth || kernel.Columns != shape.OutChannels)
            throw new ArgumentException($"DirectConvolution: the kernel is {kernel.Rows} x {kernel.Columns}, the shape needs {shape.Depth} x {shape.OutChannels}.");
        if (input.Length < shape.Height * shape.Width * shape.Channels || bias.Length < shape.OutChannels || output.Length < outSize
            || (!residual.IsEmpty && residual.Length < outSize) || scratch.Length < shape.ScratchSize)
            throw new ArgumentException($"DirectConvolution: a buffer is too small for {shape} (input {input.Length}, bias {bias.Length}, residual {residual.Length}, output {output.Length}, scratch {scratch.Length}).");
    }

    /// <summary>
    /// Where windows are read: the input itself (row stride W·C) when every window lies inside it, else the
    /// zero-bordered copy in scratch, PaddedHeight x PaddedWidth x C, whose (y', x') is input (y' − padTop, x' − padLeft).
    /// </summary>
    private static (nint Source, nint RowStride) Source(in ConvolutionShape shape, float* input, float* scratch)
    {
        int c = shape.Channels;
        if (!shape.NeedsPadding) return ((nint)input, (nint)shape.Width * c);
        int height = shape.PaddedHeight, width = shape.PaddedWidth;
        nint rowStride = (nint)width * c;
        // Input columns that land inside the copy: x' = x + padLeft in [0, width).
        int left = Math.Min(width, shape.PadLeft), inside = Math.Max(0, Math.Min(shape.Width, width - shape.PadLeft));
        for (int yp = 0; yp < height; yp++)
        {
            var row = new Span<float>(scratch + yp * rowStride, (int)rowStride);
            int y = yp - shape.PadTop;
            if ((uint)y >= (uint)shape.Height || inside == 0)
            {
                row.Clear();
                continue;
            }
            row[..(left * c)].Clear();
            new ReadOnlySpan<float>(input + (nint)y * shape.Width * c, inside * c).CopyTo(row[(left * c)..]);
            row[((left + inside) * c)..].Clear();
        }
        return ((nint)scratch, rowStride);
    }

    [ThreadStatic] private static Job? perThread;

    /// <summary>One convolution split into units of (channel block, run of position tiles), reused by its calling thread.</summary>
    private sealed class Job : ParallelJob
    {
        private ConvolutionShape shape;
        private float* source, weights, bias, residual, output;
        private nint rowStride;
        private bool relu;
        private int blocks, tiles, chunks;

        public int Units => blocks * chunks;

        public void Set(in ConvolutionShape s, nint src, nint stride, PackedMatrix kernel, float* b, float* r, bool activation, float* o, int threads)
        {
            shape = s;
            source = (float*)src;
            rowStride = stride;
            weights = kernel.Data;
            bias = b;
            residual = r;
            relu = activation;
            output = o;
            blocks = (s.OutChannels + 2 * PanelWidth - 1) / (2 * PanelWidth);
            tiles = (s.Positions + TilePositions - 1) / TilePositions;
            // One unit per block on one thread; else about four units per thread (spares balance a late or preempted thread).
            chunks = threads <= 1 ? 1 : Math.Min(tiles, Math.Max(1, (4 * threads + blocks - 1) / blocks));
        }

        public void Clear() => source = weights = bias = residual = output = null;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int part)
        {
            int block = part % blocks, chunk = part / blocks;
            int k = shape.Depth, o = shape.OutChannels, col0 = block * 2 * PanelWidth;
            int cols = Math.Min(2 * PanelWidth, o - col0);
            float* w = weights + (nint)col0 * k;   // panel 2·block; the next panel follows at + 32·k
            nint panel = (nint)PanelWidth * k;
            int firstTile = (int)((long)chunk * tiles / chunks), endTile = (int)((long)(chunk + 1) * tiles / chunks);
            int positions = shape.Positions;
            float* edge = stackalloc float[TilePositions * 2 * PanelWidth];
            var p = stackalloc float*[TilePositions];
            // Depth chunks: a chunk's weights (DepthChunk steps x 64 channels, 64 KB) stay in cache while every tile of
            // the unit runs over them; partial sums wait in the output. A narrow edge block takes the whole depth at once.
            bool full = cols == 2 * PanelWidth || cols == PanelWidth;
            int depthChunk = full && k > ChunkAboveSteps ? DepthChunk : k;
            for (int s0 = 0; s0 < k; s0 += depthChunk)
                for (int t = firstTile; t < endTile; t++)
                {
                    // Tile t: positions [t·P/T, (t+1)·P/T) — 5 or 6 of them, so no tile is left with one or two.
                    int first = (int)((long)t * positions / tiles), count = (int)((long)(t + 1) * positions / tiles) - first;
                    // Window origins: one division for the first position, then step along the row and wrap.
                    int y = first / shape.OutW, x = first % shape.OutW;
                    for (int i = 0; i < count; i++)
                    {
                        p[i] = source + (nint)y * shape.Stride * rowStride + (nint)x * shape.Stride * shape.Channels;
                        if (++x == shape.OutW) (x, y) = (0, y + 1);
                    }
                    for (int i = count; i < TilePositions; i++) p[i] = p[0];
                    var tile = new TileArgs
                    {
                        P0 = p[0], P1 = p[1], P2 = p[2], P3 = p[3], P4 = p[4], P5 = p[5],
                        Run = shape.KernelW * shape.Channels, Step0 = s0, Steps = Math.Min(depthChunk, k - s0),
                        Accumulate = s0 > 0, Finish = s0 + depthChunk >= k,
                        RowStride = rowStride, W = w, Panel = panel, Bias = bias + col0,
                        Out = full ? output + (nint)first * o + col0 : edge,
                        Ldo = full ? o : 2 * PanelWidth,
                        Residual = full && residual != null ? residual + (nint)first * o + col0 : null,
                        Relu = full && relu,
                    };
                    if (cols > PanelWidth) Tile<TwoPanels>(count, tile);
                    else Tile<OnePanel>(count, tile);
                    if (!full) EdgeEpilogue(edge, count, cols, first, col0);
                }
        }

        /// <summary>A block narrower than its panels: the tile (bias and ReLU not yet applied) went to <paramref name="edge"/>; finish the channels that exist.</summary>
        private void EdgeEpilogue(float* edge, int count, int cols, int first, int col0)
        {
            int o = shape.OutChannels;
            for (int i = 0; i < count; i++)
                for (int j = 0; j < cols; j++)
                {
                    nint at = (nint)(first + i) * o + col0 + j;
                    float v = edge[i * 2 * PanelWidth + j];
                    if (residual != null) v += residual[at];
                    output[at] = relu ? MathF.Max(v, 0f) : v;
                }
        }
    }

    /// <summary>The operands of one register tile (a struct, so the 6 input pointers are passed without an array).</summary>
    private struct TileArgs
    {
        public float* P0, P1, P2, P3, P4, P5;   // window origins of the tile's positions
        public int Run, Step0, Steps;           // floats per window row (KW·C); the steps (ki·run + q) this call does
        public bool Accumulate, Finish;         // start from partial sums in Out; apply the epilogue (else store partial sums)
        public nint RowStride, Panel;           // floats between source rows; between the two weight panels
        public float* W, Bias, Out, Residual;   // packed weights of the block; its bias; output and residual of the first position
        public nint Ldo;                        // floats between output positions
        public bool Relu;
    }

    /// <summary>The tile of <paramref name="rows"/> positions, compiled for that count (a 5-position tile does 5 rows of work).</summary>
    private static void Tile<TPanels>(int rows, in TileArgs t) where TPanels : struct, IPanelCount
    {
        switch (rows)
        {
            case 6: Tile<R6, TPanels>(t); break;
            case 5: Tile<R5, TPanels>(t); break;
            case 4: Tile<R4, TPanels>(t); break;
            case 3: Tile<R3, TPanels>(t); break;
            case 2: Tile<R2, TPanels>(t); break;
            default: Tile<R1, TPanels>(t); break;
        }
    }

    /// <summary>
    /// acc[i, 0..63] = Σ_ki Σ_q P_i[ki·rowStride + q] · W[ki·run + q, 0..63] for the tile's rows i &lt; TRows, then
    /// out[i] = act(acc[i] + bias + residual[i]). With <see cref="OnePanel"/> only channels 0..31 are computed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows, TPanels>(in TileArgs t) where TRows : struct, IRowCount where TPanels : struct, IPanelCount
    {
        int r = TRows.Value;
        bool two = TPanels.Value == 2;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default,
            c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default,
            c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        if (t.Accumulate)
        {
            // A later depth chunk: start from the partial sums the earlier chunks stored.
            Load<TPanels>(t, 0, ref c00, ref c01, ref c02, ref c03);
            if (r > 1) Load<TPanels>(t, 1, ref c10, ref c11, ref c12, ref c13);
            if (r > 2) Load<TPanels>(t, 2, ref c20, ref c21, ref c22, ref c23);
            if (r > 3) Load<TPanels>(t, 3, ref c30, ref c31, ref c32, ref c33);
            if (r > 4) Load<TPanels>(t, 4, ref c40, ref c41, ref c42, ref c43);
            if (r > 5) Load<TPanels>(t, 5, ref c50, ref c51, ref c52, ref c53);
        }
        // Steps s = ki·run + q of [Step0, Step0 + Steps): window row ki, offset q in that row's run.
        nint panel = t.Panel, rowStride = t.RowStride;
        int run = t.Run, q = t.Step0 % run, left = t.Steps;
        nint rowOffset = t.Step0 / run * rowStride;
        float* p0 = t.P0 + rowOffset, p1 = t.P1 + rowOffset, p2 = t.P2 + rowOffset, p3 = t.P3 + rowOffset, p4 = t.P4 + rowOffset,
            p5 = t.P5 + rowOffset, w = t.W + (nint)t.Step0 * PanelWidth;
        while (left > 0)
        {
            int end = Math.Min(run, q + left);
            left -= end - q;
            for (; q < end; q++)
            {
                var b0 = Vector512.Load(w);
                var b1 = Vector512.Load(w + 16);
                var b2 = two ? Vector512.Load(w + panel) : default;
                var b3 = two ? Vector512.Load(w + panel + 16) : default;
                Row<TPanels>(p0[q], b0, b1, b2, b3, ref c00, ref c01, ref c02, ref c03);
                if (r > 1) Row<TPanels>(p1[q], b0, b1, b2, b3, ref c10, ref c11, ref c12, ref c13);
                if (r > 2) Row<TPanels>(p2[q], b0, b1, b2, b3, ref c20, ref c21, ref c22, ref c23);
                if (r > 3) Row<TPanels>(p3[q], b0, b1, b2, b3, ref c30, ref c31, ref c32, ref c33);
                if (r > 4) Row<TPanels>(p4[q], b0, b1, b2, b3, ref c40, ref c41, ref c42, ref c43);
                if (r > 5) Row<TPanels>(p5[q], b0, b1, b2, b3, ref c50, ref c51, ref c52, ref c53);
                w += PanelWidth;
            }
            q = 0;
            p0 += rowStride; p1 += rowStride; p2 += rowStride; p3 += rowStride; p4 += rowStride; p5 += rowStride;
        }

        if (!t.Finish)
        {
            // More depth chunks follow: store the partial sums as they are.
            Store<TPanels>(t, 0, c00, c01, c02, c03);
            if (r > 1) Store<TPanels>(t, 1, c10, c11, c12, c13);
            if (r > 2) Store<TPanels>(t, 2, c20, c21, c22, c23);
            if (r > 3) Store<TPanels>(t, 3, c30, c31, c32, c33);
            if (r > 4) Store<TPanels>(t, 4, c40, c41, c42, c43);
            if (r > 5) Store<TPanels>(t, 5, c50, c51, c52, c53);
            return;
        }
        // Epilogue: + bias (+ residual), ReLU, one store per vector.
        var v0 = Vector512.Load(t.Bias);
        var v1 = Vector512.Load(t.Bias + 16);
        var v2 = two ? Vector512.Load(t.Bias + 32) : default;
        var v3 = two ? Vector512.Load(t.Bias + 48) : default;
        Finish<TPanels>(t, 0, c00 + v0, c01 + v1, c02 + v2, c03 + v3);
        if (r > 1) Finish<TPanels>(t, 1, c10 + v0, c11 + v1, c12 + v2, c13 + v3);
        if (r > 2) Finish<TPanels>(t, 2, c20 + v0, c21 + v1, c22 + v2, c23 + v3);
        if (r > 3) Finish<TPanels>(t, 3, c30 + v0, c31 + v1, c32 + v2, c33 + v3);
        if (r > 4) Finish<TPanels>(t, 4, c40 + v0, c41 + v1, c42 + v2, c43 + v3);
        if (r > 5) Finish<TPanels>(t, 5, c50 + v0, c51 + v1, c52 + v2, c53 + v3);
    }

    /// <summary>One input value a times the step's weights: c_j += a · b_j (b2, b3 only with <see cref="TwoPanels"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TPanels>(float a, Vector512<float> b0, Vector512<float> b1, Vector512<float> b2, Vector512<float> b3,
        ref Vector512<float> c0, ref Vector512<float> c1, ref Vector512<float> c2, ref Vector512<float> c3) where TPanels : struct, IPanelCount
    {
        var x = Vector512.Create(a);
        c0 = Fma(x, b0, c0);
        c1 = Fma(x, b1, c1);
        if (TPanels.Value == 2)
        {
            c2 = Fma(x, b2, c2);
            c3 = Fma(x, b3, c3);
        }
    }

    /// <summary>The partial sums of position i from the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<TPanels>(in TileArgs t, int i, ref Vector512<float> c0, ref Vector512<float> c1, ref Vector512<float> c2, ref Vector512<float> c3)
        where TPanels : struct, IPanelCount
    {
        float* o = t.Out + i * t.Ldo;
        c0 = Vector512.Load(o);
        c1 = Vector512.Load(o + 16);
        if (TPanels.Value == 2)
        {
            c2 = Vector512.Load(o + 32);
            c3 = Vector512.Load(o + 48);
        }
    }

    /// <summary>The partial sums of position i into the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TPanels>(in TileArgs t, int i, Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3)
        where TPanels : struct, IPanelCount
    {
        float* o = t.Out + i * t.Ldo;
        Vector512.Store(c0, o);
        Vector512.Store(c1, o + 16);
        if (TPanels.Value == 2)
        {
            Vector512.Store(c2, o + 32);
            Vector512.Store(c3, o + 48);
        }
    }

    /// <summary>out[i, 0..63] = act(x + residual[i, 0..63]) (32 channels with <see cref="OnePanel"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TPanels>(in TileArgs t, int i, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3)
        where TPanels : struct, IPanelCount
    {
        bool two = TPanels.Value == 2;
        float* o = t.Out + i * t.Ldo;
        if (t.Residual != null)
        {
            float* res = t.Residual + i * t.Ldo;
            x0 += Vector512.Load(res);
            x1 += Vector512.Load(res + 16);
            if (two) { x2 += Vector512.Load(res + 32); x3 += Vector512.Load(res + 48); }
        }
        if (t.Relu)
        {
            x0 = Vector512.Max(x0, Vector512<float>.Zero);
            x1 = Vector512.Max(x1, Vector512<float>.Zero);
            if (two) { x2 = Vector512.Max(x2, Vector512<float>.Zero); x3 = Vector512.Max(x3, Vector512<float>.Zero); }
        }
        Vector512.Store(x0, o);
        Vector512.Store(x1, o + 16);
        if (two) { Vector512.Store(x2, o + 32); Vector512.Store(x3, o + 48); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma(Vector512<float> x, Vector512<float> y, Vector512<float> z) => Vector512.FusedMultiplyAdd(x, y, z);
}

/// <summary>How many 32-column weight panels a register tile of <see cref="DirectConvolution"/> covers, known when the JIT compiles it.</summary>
internal interface IPanelCount { static abstract int Value { get; } }
internal struct OnePanel : IPanelCount { public static int Value => 1; }
internal struct TwoPanels : IPanelCount { public static int Value => 2; }
