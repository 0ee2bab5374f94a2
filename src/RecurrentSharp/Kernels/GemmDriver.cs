using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
namespace RecurrentSharp.Kernels;

/// <summary>The operands of one product, as raw pointers (the caller keeps them pinned while it runs).</summary>
internal unsafe struct GemmOperands
{
    public bool TransposeA, TransposeB;
    public int M, N, K;
    public float Alpha, Beta;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;
    /// <summary>B already in panel layout (a <see cref="PackedMatrix"/>), or null.</summary>
    public float* PackedB;
}

/// <summary>Per-thread scratch for packed panels; grown once, then reused by every product.</summary>
internal sealed class GemmScratch
{
    /// <summary>Whole packed A / B, filled in a parallel packing phase and shared by all threads.</summary>
    public readonly AlignedBuffer SharedA = new(), SharedB = new();
    /// <summary>The block of A / B a thread packs for itself, just before its microkernels read it.</summary>
    public readonly AlignedBuffer UnitA = new(), UnitB = new();

    [ThreadStatic] private static GemmScratch? current;
    public static GemmScratch ForThisThread => current ??= new GemmScratch();
}

/// <summary>
/// The cache-blocked product (Goto / BLIS scheme) around one microkernel:
/// <code>
/// for each unit (a block of row panels x a block of column panels of C)   &lt;- threads share units
///   for pc in steps of KC
///     [pack this unit's A rows, depths pc..pc+KC]          (the unit's A block: L3)
///     [pack this unit's B columns, depths pc..pc+KC]       (the unit's B block, at most half the L2)
///     for each row panel ir (MR high)                      (its KC x MR A micro-panel: L1)
///       for each column panel jr (NR wide)                 (its KC x NR B micro-panel streams from L2)
///         microkernel: C[ir.., jr..] (+)= alpha * A[ir.., pc..] * B[pc.., jr..]
/// </code>
/// Seen from C's columns this is BLIS's order: the broadcast operand's micro-panel stays in L1
/// while the vector-loaded one streams from L2 (measured about 9% faster at 1024^3 than keeping
/// the larger B micro-panel in L1).
/// A panel used by several units is packed once, whole, in a parallel packing phase before the
/// units run ("shared"); a panel used by one unit only is packed by that unit just before use, so
/// it is still in cache when the microkernel reads it ("in unit"). A single-row A, and on machines with 1 MB of L2 or more an
/// A stored transposed (<see cref="ReadTransposedAInPlace"/>), are read in place: stored transposed (the weight gradients' dGᵀ,
/// whose stored rows are the depth), the MR values the microkernel broadcasts at each depth p are already side by side in
/// stored row p, so it reads them there with the row stride as its A stride. Packing them had cost more than the strided reads: dGᵀ X on one thread, 768x128x6400 205-217 -> 225-234
/// GFLOP/s, 1536x512x1600 213-217 -> 229-238, and on two 768x128x6400 348-397 -> 431-437 (Zen 5; the Vector256 kernel
/// gained alike there, 199-205 -> 221-226).
/// </summary>
internal sealed unsafe class GemmDriver<TKernel> : ParallelJob where TKernel : struct, IMicroKernel
{
    /// <summary>
    /// KC: depth of one packed block, sized so that a KC x MR A micro-panel fills 3/8 of the L1 data cache, leaving the
    /// rest to the B and C lines streaming past it, and rounded down to a multiple of 64 (128 to 512). Measured best:
    /// 384 for the AVX-512 kernel with 48 KB of L1 (an 18 KB micro-panel), 512 for the AVX2 kernel with 32 KB (12 KB):
    /// on a 1 MB-L2 EPYC, 32x2048x512 went from 84% to 87% of peak and 16x4096x1024 from 64% to 71% against 384.
    /// </summary>
    internal static int DepthBlock = Math.Clamp((int)(CacheSizes.L1Data * 3 / 8 / (TKernel.Rows * sizeof(float))) / 64 * 64, 128, 512);
    /// <summary>
    /// Bytes of packed B one unit works on per depth block: half the L2, so the block stays there while every row
    /// panel of the unit streams through it (1 MB on a 2 MB-L2 Xeon; on a 1 MB-L2 EPYC 512 KB took 16x4096x1024 from 71%
    /// to 74% of peak against 1 MB, measured interleaved).
    /// </summary>
    internal static int BBlockBytes = (int)(CacheSizes.L2 / 2);
    /// <summary>Bytes of packed A one unit packs for itself per depth block, at most (see <see cref="Plan"/>).</summary>
    internal static int ABlockBytes = (int)(CacheSizes.L2 / 2);
    /// <summary>Units per thread: spare units let a thread that started late (or was preempted) catch up.</summary>
    internal static int UnitsPerThread = 4;
    /// <summary>
    /// Panels per part of the shared packing phase: as many as leave two parts per thread, from 4 to 16. Each part reads a run of
    /// panels × MR (or NR) floats from every stored row; with 4 panels of 6 rows, a weight gradient's dGᵀ (2048 x 1600, stored
    /// 1600 x 2048) was read 96 bytes per 8 KB row, and packing it took 5.5–5.9 ms against 3.2–3.4 with 16 (one thread, measured
    /// interleaved twice).
    /// </summary>
    private static int PanelsPerPackPart(int panels, int threads) => Math.Clamp((panels + 2 * threads - 1) / (2 * threads), 4, 16);

    private int aPanelsPerPart, bPanelsPerPart;
    private bool prefetchA;

    private enum Source { InPlace, Shared, InUnit, Prepacked }

    [ThreadStatic] private static GemmDriver<TKernel>? perThread;

    /// <summary>
    /// Floats left between consecutive panels that the driver packs (not in a prepacked B, whose layout is
    /// <see cref="PackedMatrix"/>'s): one cache line. A panel is MR or NR floats times the depth, often a multiple of
    /// 4 KB (12 x 128 x 4 bytes is 6 KB, 12 x 6400 x 4 is 300 KB), and then every panel starts in the same one or two
    /// of L1's 64 sets. Packing from stored rows that run across the panels (a B stored as is; a weight gradient's dGᵀ
    /// where it is packed, below 1 MB of L2) writes into every panel for each stored row, so 64 panels'
    /// writes went to 12 ways and missed: the dGᵀ copy ran at a quarter of memcpy's speed.
    /// </summary>
    internal static int PanelPad = 16;

    private GemmOperands op;
    private Source aSource, bSource;
    private float* sharedA, sharedB;
    private nint sharedAPanel, sharedBPanel;   // floats from one packed panel of the shared A or B to the next
    private int mr, rowPanels, colPanels, rowUnits, colUnits, depthBlock;   // mr: rows per packed A panel (PanelRows)
    private int aPackParts, bPackParts;
    private bool packing;

    /// <summary>Computes the product described by <paramref name="operands"/> on up to <paramref name="threads"/> threads.</summary>
    public static void Run(in GemmOperands operands, int threads)
    {
        var job = perThread ??= new GemmDriver<TKernel>();
        job.Plan(operands, threads);
        job.RunPlanned(threads);
    }

    /// <summary>
    /// Two products with the same op(A) (same M, K, A, lda and transpose; <paramref name="first"/> and <paramref name="second"/>
    /// differ in B and C). When the first packs op(A) whole (several column units read it), the second reads those panels
    /// instead of packing its own. Otherwise each unit of the first packs its rows of A just before use, in cache, and the
    /// second does the same: packing A whole for it would write and read A through memory once more than that.
    /// </summary>
    public static void RunPair(in GemmOperands first, in GemmOperands second, int threads)
    {
        var job = perThread ??= new GemmDriver<TKernel>();
        job.Plan(first, threads);
        bool packedWhole = job.aSource == Source.Shared;
        if (packedWhole) Interlocked.Increment(ref sharedPairs);
        job.RunPlanned(threads);
        job.Plan(second, threads, packAWhole: packedWhole, aPacked: packedWhole);
        job.RunPlanned(threads);
    }

    /// <summary>
    /// Whether an A stored transposed is read in place (see the class summary) rather than packed: where a core has 1 MB of L2 or
    /// more. The in-place reads take one cache line per depth step from stored rows lda floats apart, 4 KB apart in the weight
    /// gradients of H = 256 gates, so a micro-panel's lines all fall in the few L1 and L2 sets that stride maps to. On Zen 5
    /// (48 KB L1, 1 MB L2 per core) that still beat packing (figures above); on the AVX2 EPYC (32 KB L1, 512 KB L2) it did not,
    /// one thread, min of 3 s of repeats, three interleaved pairs: dGᵀ H 1024x256x6400 in place 54-56 GFLOP/s against 74-76
    /// packed, dGᵀ X 1024x128x6400 68-69 against 81-83, deep's 2048x512x1600 49-52 against 76-80. Only these two machines were
    /// measured: the two differ in L1 (48 KB 12-way, 32 KB 8-way) as well as L2, and a 32 KB-L1 machine with 1 MB of L2, or a
    /// 2 MB-L2 Xeon, reads in place here without a measurement of its own.
    /// </summary>
    internal static bool ReadTransposedAInPlace = CacheSizes.L2 >= 1 << 20;

    /// <summary>How many products so far read a stored-transposed A of several rows in place (tests check it is taken).</summary>
    internal static long TransposedInPlace => Interlocked.Read(ref transposedInPlace);
    private static long transposedInPlace;

    /// <summary>How many products so far packed a stored-transposed A of several rows (tests check it is taken).</summary>
    internal static long TransposedPacked => Interlocked.Read(ref transposedPacked);
    private static long transposedPacked;

    /// <summary>How many pairs so far let their second product read the first's packed A (tests check it is taken).</summary>
    internal static long SharedPairs => Interlocked.Read(ref sharedPairs);
    private static long sharedPairs;

    /// <summary>The planned product: its packing phase (if any), then its units.</summary>
    private void RunPlanned(int threads)
    {
        if (aPackParts + bPackParts > 0)
        {
            packing = true;
            KernelThreads.Run(this, aPackParts + bPackParts, threads);
        }
        packing = false;
        KernelThreads.Run(this, rowUnits * colUnits, threads);
        op = default;
    }

    /// <summary>
    /// Rows per packed A panel for a product of <paramref name="m"/> rows: the microkernel's MR, or, when the last of the
    /// MR-row panels would hold 1 to 3 rows, the same number of panels of near-equal, even heights (m = 26 on AVX-512:
    /// 10 + 10 + 6 instead of 12 + 12 + 2). A tile of 1-3 rows has at most 6 accumulators, fewer than the FMA latency
    /// times the FMA pipes, so it waits on its own sums: the 2 rows cost 20% of a 24-row recurrent step (26 x 400 x 100,
    /// 9.7 against 8.1 us). Even heights keep A's packing on its 4- and 2-row transposes.
    /// </summary>
    internal static int PanelRows(int m)
    {
        int full = TKernel.Rows, panels = (m + full - 1) / full;
        if (panels < 2 || m % full is 0 or >= 4) return full;
        int rows = (m + panels - 1) / panels;
        return rows + (rows & 1);
    }

    /// <summary>
    /// Chooses the units and where each operand's panels come from. <paramref name="packAWhole"/> reads op(A) from the whole packed
    /// copy whatever the units; <paramref name="aPacked"/> says the previous product of a pair left that copy packed.
    /// </summary>
    private void Plan(in GemmOperands operands, int threads, bool packAWhole = false, bool aPacked = false)
    {
        op = operands;
        int nr = TKernel.Columns;
        mr = PanelRows(op.M);
        rowPanels = (op.M + mr - 1) / mr;
        colPanels = (op.N + nr - 1) / nr;
        // Blocking the depth only pays when a packed B block is reused by several row panels.
        depthBlock = rowPanels == 1 ? op.K : Math.Min(op.K, DepthBlock);

        // Units: column blocks small enough for L2, then more blocks along the longer side for the threads.
        int panelsPerColBlock = Math.Max(1, BBlockBytes / (depthBlock * nr * sizeof(float)));
        colUnits = (colPanels + panelsPerColBlock - 1) / panelsPerColBlock;
        rowUnits = 1;
        int wanted = threads > 1 ? threads * UnitsPerThread : 1;
        if (colUnits < wanted)
        {
            if (op.M >= op.N) rowUnits = Math.Min(rowPanels, (wanted + colUnits - 1) / colUnits);
            else colUnits = Math.Min(colPanels, wanted);
        }
        // A unit with the only column block packs its rows of A at each depth block, then its tiles read them. Beyond
        // ABlockBytes that block went out to memory and came back (dX = dG W_ih of a medium LSTM, 6400x128x1024: 13 MB per
        // depth block), so such units are cut into row blocks of at most that: 77.5 -> 92.6 GFLOP/s on one thread. Not when A
        // is stored transposed: its packing reads each stored row's run over the unit's rows, which the cut shortens
        // (dGᵀ X, 1024x128x6400: 79.7 -> 67.9).
        if (colUnits == 1 && op.M > 1 && !packAWhole && !op.TransposeA)
        {
            int panelsPerRowBlock = Math.Max(1, ABlockBytes / (depthBlock * mr * sizeof(float)));
            rowUnits = Math.Max(rowUnits, (rowPanels + panelsPerRowBlock - 1) / panelsPerRowBlock);
        }
        // Stored transposed, A is read in place or packed by the unit (ReadTransposedAInPlace), and the part a unit reads per depth
        // block (its rows x KC, strided) is kept under ABlockBytes by a shallower depth block, down to 128 (measured when that
        // part was packed: dGᵀ X on one thread, 1024x128x6400 80 -> 87 GFLOP/s; read in place, keeping the shallower block was still better on 1024x256x6400,
        // 233-235 against 221-223, and worse on 768x128x6400, 231-234 against 238-242).
        if (colUnits == 1 && op.M > 1 && !packAWhole && op.TransposeA)
        {
            long unitPanels = (rowPanels + rowUnits - 1) / rowUnits;
            int fits = (int)Math.Min(depthBlock, ABlockBytes / (unitPanels * mr * sizeof(float))) / 64 * 64;
            depthBlock = Math.Max(Math.Min(depthBlock, 128), fits);
        }

        aSource = packAWhole ? Source.Shared : op.M == 1 || (op.TransposeA && ReadTransposedAInPlace) ? Source.InPlace : colUnits == 1 ? Source.InUnit : Source.Shared;
        if (op.TransposeA && op.M > 1)
        {
            if (aSource == Source.InPlace) Interlocked.Increment(ref transposedInPlace);
            else Interlocked.Increment(ref transposedPacked);
        }
        bSource = op.PackedB != null ? Source.Prepacked : rowUnits == 1 ? Source.InUnit : Source.Shared;

        var scratch = GemmScratch.ForThisThread;
        sharedAPanel = (nint)mr * op.K + PanelPad;
        sharedBPanel = bSource == Source.Prepacked ? (nint)nr * op.K : (nint)nr * op.K + PanelPad;
        sharedA = aSource == Source.Shared ? scratch.SharedA.Get((long)rowPanels * sharedAPanel) : null;   // the same buffer for a pair's second product
        sharedB = bSource == Source.Prepacked ? op.PackedB
            : bSource == Source.Shared ? scratch.SharedB.Get((long)colPanels * sharedBPanel) : null;
        aPanelsPerPart = PanelsPerPackPart(rowPanels, threads);
        bPanelsPerPart = PanelsPerPackPart(colPanels, threads);
        // A packed whole and larger than L2: its micro-panels come from memory, 38 KB apart for K = 1600, and the hardware
        // prefetcher starts over on each; ask for the next one while this one's tiles run (measured when dGᵀ was packed whole).
        prefetchA = Sse.IsSupported && aSource == Source.Shared && (long)rowPanels * mr * op.K * sizeof(float) > CacheSizes.L2;
        aPackParts = aSource == Source.Shared && !aPacked ? (rowPanels + aPanelsPerPart - 1) / aPanelsPerPart : 0;
        bPackParts = bSource == Source.Shared ? (colPanels + bPanelsPerPart - 1) / bPanelsPerPart : 0;
    }

    public override void Execute(int part)
    {
        if (packing) Pack(part);
        else Compute(part / colUnits, part % colUnits);
    }

    /// <summary>Packing phase: a few whole panels (all of k) of a shared operand.</summary>
    private void Pack(int part)
    {
        int nr = TKernel.Columns;
        if (part < aPackParts)
        {
            int first = part * aPanelsPerPart, end = Math.Min(rowPanels, first + aPanelsPerPart);
            GemmPacking.PackA(op.TransposeA, op.A, op.Lda, first * mr, Math.Min(op.M, end * mr) - first * mr, 0, op.K, mr,
                sharedA + first * sharedAPanel, sharedAPanel);
        }
        else
        {
            int first = (part - aPackParts) * bPanelsPerPart, end = Math.Min(colPanels, first + bPanelsPerPart);
            GemmPacking.PackB(op.TransposeB, op.B, op.Ldb, first * nr, Math.Min(op.N, end * nr) - first * nr, 0, op.K, nr,
                sharedB + first * sharedBPanel, sharedBPanel);
        }
    }

    /// <summary>Asks for the cache lines of a packed micro-panel of <paramref name="floats"/> floats, into L2.</summary>
    private static void PrefetchPanel(float* panel, int floats)
    {
        for (int line = 0; line < floats; line += 16) Sse.Prefetch1(panel + line);
    }

    /// <summary>One unit: the row panels of row block <paramref name="rowUnit"/> x the column panels of column block <paramref name="colUnit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int rowUnit, int colUnit)
    {
        int nr = TKernel.Columns;
        int k = op.K;
        // Even split of panels over units (sizes differ by at most one panel).
        int firstRow = (int)((long)rowUnit * rowPanels / rowUnits), endRow = (int)((long)(rowUnit + 1) * rowPanels / rowUnits);
        int firstCol = (int)((long)colUnit * colPanels / colUnits), endCol = (int)((long)(colUnit + 1) * colPanels / colUnits);

        var scratch = GemmScratch.ForThisThread;
        float* unitA = aSource == Source.InUnit ? scratch.UnitA.Get((long)(endRow - firstRow) * (mr * depthBlock + PanelPad)) : null;
        float* unitB = bSource == Source.InUnit ? scratch.UnitB.Get((long)(endCol - firstCol) * (nr * depthBlock + PanelPad)) : null;
        float* edge = stackalloc float[TKernel.Rows * nr];

        for (int pc = 0; pc < k; pc += depthBlock)
        {
            int kc = Math.Min(depthBlock, k - pc);
            nint unitAPanel = (nint)mr * kc + PanelPad, unitBPanel = (nint)nr * kc + PanelPad;
            float beta = pc == 0 ? op.Beta : 1f;   // later depth blocks add onto C
            if (aSource == Source.InUnit)
                GemmPacking.PackA(op.TransposeA, op.A, op.Lda, firstRow * mr, Math.Min(op.M, endRow * mr) - firstRow * mr, pc, kc, mr,
                    unitA, unitAPanel);
            if (bSource == Source.InUnit)
                GemmPacking.PackB(op.TransposeB, op.B, op.Ldb, firstCol * nr, Math.Min(op.N, endCol * nr) - firstCol * nr, pc, kc, nr,
                    unitB, unitBPanel);

            for (int rowPanel = firstRow; rowPanel < endRow; rowPanel++)
            {
                int row0 = rowPanel * mr, rows = Math.Min(mr, op.M - row0);
                float* a;
                nint aStride;
                if (aSource == Source.InPlace)
                {
                    // op(A)[i, p] = a[i * lda + p] (a single row, i = 0), or a[p * lda + i] when A is stored transposed.
                    aStride = op.TransposeA ? op.Lda : 1;
                    a = op.A + (op.TransposeA ? row0 : (nint)row0 * op.Lda) + pc * aStride;
                }
                else
                {
                    a = aSource == Source.Shared ? sharedA + rowPanel * sharedAPanel + (nint)pc * mr
                        : unitA + (rowPanel - firstRow) * unitAPanel;
                    aStride = mr;
                    if (prefetchA && rowPanel + 1 < endRow) PrefetchPanel(a + sharedAPanel, kc * mr);
                }

                for (int colPanel = firstCol; colPanel < endCol; colPanel++)
                {
                    int col0 = colPanel * nr, cols = Math.Min(nr, op.N - col0);
                    float* b = bSource == Source.InUnit ? unitB + (colPanel - firstCol) * unitBPanel
                        : sharedB + colPanel * sharedBPanel + (nint)pc * nr;
                    float* c = op.C + row0 * op.Ldc + col0;
                    if (cols == nr)
                    {
                        TKernel.Multiply(rows, kc, a, aStride, b, c, op.Ldc, op.Alpha, beta);
                    }
                    else
                    {
                        // Right edge: compute the full-width tile aside, write back only the columns that exist.
                        TKernel.Multiply(rows, kc, a, aStride, b, edge, nr, 1f, 0f);
                        for (int i = 0; i < rows; i++)
                            for (int j = 0; j < cols; j++)
                            {
                                float* cij = c + i * op.Ldc + j;
                                *cij = beta == 0f ? op.Alpha * edge[i * nr + j] : op.Alpha * edge[i * nr + j] + beta * *cij;
                            }
                    }
                }
            }
        }
    }
}
