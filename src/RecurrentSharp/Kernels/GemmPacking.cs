using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
namespace RecurrentSharp.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the microkernels read with unit stride:
/// <list type="bullet">
/// <item>A panel (MR rows): element (i, p) at <c>panel[p * MR + i]</c>; rows past the block are 0.</item>
/// <item>B panel (NR columns): element (p, j) at <c>panel[p * NR + j]</c>; columns past the block are 0.</item>
/// </list>
/// One call packs a run of consecutive panels (panel q at <c>dst + q * panelStride</c>) and walks
/// the stored matrix in its own row order, so reads are long contiguous runs whichever operand is
/// transposed (reading a 128-byte strip from every row of a 4 KB-wide matrix would miss the
/// cache and the TLB on almost every row). The transposes are absorbed here: there is no other copy.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[row0 .. row0+rows, p0 .. p0+kc] into ceil(rows / mr) panels of <paramref name="mr"/> rows. An A stored
    /// transposed is packed only where the driver does not read it in place (<see cref="GemmDriver{TKernel}.ReadTransposedAInPlace"/>).
    /// </summary>
    public static void PackA(bool transposeA, float* a, nint lda, int row0, int rows, int p0, int kc, int mr, float* dst, nint panelStride)
    {
        // op(A)[i, p] = A[i, p], or A[p, i] when A is stored transposed (then stored rows run along i).
        if (transposeA) CopyRunsIntoPanels(a + p0 * lda + row0, lda, kc, rows, mr, dst, panelStride);
        else TransposeIntoPanels(a + row0 * lda + p0, lda, rows, kc, mr, dst, panelStride);
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, col0 .. col0+cols] into ceil(cols / nr) panels of <paramref name="nr"/> columns.</summary>
    public static void PackB(bool transposeB, float* b, nint ldb, int col0, int cols, int p0, int kc, int nr, float* dst, nint panelStride)
    {
        // op(B)[p, j] = B[p, j], or B[j, p] when B is stored transposed (then stored rows run along p).
        if (transposeB) TransposeIntoPanels(b + col0 * ldb + p0, ldb, cols, kc, nr, dst, panelStride);
        else CopyRunsIntoPanels(b + p0 * ldb + col0, ldb, kc, cols, nr, dst, panelStride);
    }

    /// <summary>
    /// Stored rows p = 0..steps-1 each hold a run of <paramref name="width"/> panel entries:
    /// <c>panel[q][p * w + t] = src[p * ld + q * w + t]</c>, zero past <paramref name="width"/>.
    /// Runs of 6 or 12 (the microkernels' MR, when A is stored transposed, as in the weight gradients dGᵀ X) go as one
    /// vector of 8 or 16 floats whose last 2 or 4 spill into the next step's slots of the same panel, which that step
    /// then overwrites: one load and one store per run instead of a 4-wide copy and scalar ones (the copy was 42% of a
    /// 1024 x 128 x 6400 dGᵀ X product at 2 threads). The last step, whose spill would leave the panel, and the last
    /// full panel of a row, whose load could read past the matrix, are copied exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRunsIntoPanels(float* src, nint ld, int steps, int width, int w, float* dst, nint panelStride)
    {
        int panels = (width + w - 1) / w, full = width / w;
        bool spill8 = w == 6 && Vector256.IsHardwareAccelerated, spill16 = w == 12 && Vector512.IsHardwareAccelerated;
        for (int p = 0; p < steps; p++)
        {
            float* row = src + p * ld;
            float* d = dst + (nint)p * w;
            int q = 0;
            if (p < steps - 1)
            {
                if (spill8)
                    for (; q < full - 1; q++) Vector256.Store(Vector256.Load(row + q * 6), d + q * panelStride);
                else if (spill16)
                    for (; q < full - 1; q++) Vector512.Store(Vector512.Load(row + q * 12), d + q * panelStride);
            }
            for (; q < panels; q++)
            {
                int count = Math.Min(w, width - q * w);
                float* dq = d + q * panelStride;
                Copy(row + q * w, dq, count);
                for (int t = count; t < w; t++) dq[t] = 0f;
            }
        }
    }

    /// <summary>d[0..count) = s[0..count), in the widest vectors the CPU accelerates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* s, float* d, int count)
    {
        int t = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; t + 16 <= count; t += 16) Vector512.Store(Vector512.Load(s + t), d + t);
        if (Vector256.IsHardwareAccelerated)
            for (; t + 8 <= count; t += 8) Vector256.Store(Vector256.Load(s + t), d + t);
        if (Vector128.IsHardwareAccelerated)
            for (; t + 4 <= count; t += 4) Vector128.Store(Vector128.Load(s + t), d + t);
        for (; t < count; t++) d[t] = s[t];
    }

    /// <summary>
    /// Stored rows t = 0..width-1 each run along the panel's steps:
    /// <c>panel[t / w][p * w + t % w] = src[t * ld + p]</c>, zero for t past <paramref name="width"/>.
    /// Blocks of 4 rows x 4 steps are transposed in registers, so each store writes four panel
    /// entries (and a block of 2 rows x 4 steps two, for the last 2 rows of a 6-row panel: without it the
    /// AVX2 kernel's A panels all went one float at a time, 9% of an LSTM training step at H = 100); within a panel,
    /// steps are the outer loop, so the panel is written front to back while its w source rows are read side by side.
    /// The steps go 16 at a time (a 64-byte line of every source row per visit): with 4 at a time, a row's line was
    /// visited four times, and with a row stride of 4 KB (k = 1024) the panel's 32 rows all fall in one L1 set, whose
    /// 12 ways cannot hold them, so each visit missed (a 4096 x 1024 W packed at 9 GB/s, a quarter of a plain copy).
    /// Rows and steps left over go one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeIntoPanels(float* src, nint ld, int width, int steps, int w, float* dst, nint panelStride)
    {
        int panels = (width + w - 1) / w;
        for (int q = 0; q < panels; q++)
        {
            float* panel = dst + q * panelStride;
            int t0 = q * w, rows = Math.Min(w, width - t0);
            int t = 0;
            if (Sse.IsSupported && w % 2 == 0)
            {
                // The rows done in 4- and 2-row blocks: [0, blockRows).
                int blockRows = rows / 4 * 4 + (rows % 4 >= 2 ? 2 : 0);
                int p = 0;
                for (; p + 16 <= steps; p += 16)
                    for (t = 0; t < blockRows; t += 4)
                    {
                        float* s = src + (t0 + t) * ld + p;
                        for (int pp = 0; pp < 16; pp += 4)
                            TransposeBlock(s + pp, ld, panel + (nint)(p + pp) * w + t, w, blockRows - t >= 4);
                    }
                for (; p + 4 <= steps; p += 4)
                    for (t = 0; t < blockRows; t += 4)
                        TransposeBlock(src + (t0 + t) * ld + p, ld, panel + (nint)p * w + t, w, blockRows - t >= 4);
                t = blockRows;
                // Steps left over, for the rows done in blocks.
                for (int r = 0; r < t; r++)
                    for (int pp = p; pp < steps; pp++) panel[(nint)pp * w + r] = src[(t0 + r) * ld + pp];
            }
            // Rows left over (and the zero rows past the matrix), one by one.
            for (; t < w; t++)
            {
                float* d = panel + t;
                if (t < rows)
                {
                    float* row = src + (t0 + t) * ld;
                    for (int p = 0; p < steps; p++) d[(nint)p * w] = row[p];
                }
                else
                {
                    for (int p = 0; p < steps; p++) d[(nint)p * w] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// One block of <see cref="TransposeIntoPanels"/>: rows r0..r3 (<paramref name="fourRows"/>) or r0, r1 of 4 steps each, from
    /// <paramref name="s"/> (row stride <paramref name="ld"/>), into 4 panel steps of stride <paramref name="w"/> at <paramref name="d"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock(float* s, nint ld, float* d, int w, bool fourRows)
    {
        var x0 = Sse.LoadVector128(s);
        var x1 = Sse.LoadVector128(s + ld);
        var lo01 = Sse.UnpackLow(x0, x1);    // r0[p], r1[p], r0[p+1], r1[p+1]
        var hi01 = Sse.UnpackHigh(x0, x1);   // r0[p+2], r1[p+2], r0[p+3], r1[p+3]
        if (fourRows)
        {
            var x2 = Sse.LoadVector128(s + 2 * ld);
            var x3 = Sse.LoadVector128(s + 3 * ld);
            var lo23 = Sse.UnpackLow(x2, x3);
            var hi23 = Sse.UnpackHigh(x2, x3);
            Sse.Store(d, Sse.MoveLowToHigh(lo01, lo23));
            Sse.Store(d + w, Sse.MoveHighToLow(lo23, lo01));
            Sse.Store(d + 2 * w, Sse.MoveLowToHigh(hi01, hi23));
            Sse.Store(d + 3 * w, Sse.MoveHighToLow(hi23, hi01));
        }
        else
        {
            // Two rows left of a panel of 6 or 10 (AVX2's MR, or an AVX-512 panel evened out by PanelRows): steps p..p+3, columns t, t+1.
            Sse.StoreLow(d, lo01);
            Sse.StoreHigh(d + w, lo01);
            Sse.StoreLow(d + 2 * w, hi01);
            Sse.StoreHigh(d + 3 * w, hi01);
        }
    }
}
