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
    /// <summary>Packs op(A)[row0 .. row0+rows, p0 .. p0+kc] into ceil(rows / mr) panels of <paramref name="mr"/> rows.</summary>
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
    /// </summary>
    private static void CopyRunsIntoPanels(float* src, nint ld, int steps, int width, int w, float* dst, nint panelStride)
    {
        int panels = (width + w - 1) / w;
        for (int p = 0; p < steps; p++)
        {
            float* row = src + p * ld;
            for (int q = 0; q < panels; q++)
            {
                int count = Math.Min(w, width - q * w);
                float* d = dst + q * panelStride + (nint)p * w;
                new ReadOnlySpan<float>(row + q * w, count).CopyTo(new Span<float>(d, count));
                for (int t = count; t < w; t++) d[t] = 0f;
            }
        }
    }

    /// <summary>
    /// Stored rows t = 0..width-1 each run along the panel's steps:
    /// <c>panel[t / w][p * w + t % w] = src[t * ld + p]</c>, zero for t past <paramref name="width"/>.
    /// </summary>
    private static void TransposeIntoPanels(float* src, nint ld, int width, int steps, int w, float* dst, nint panelStride)
    {
        int panels = (width + w - 1) / w;
        for (int t = 0; t < panels * w; t++)
        {
            float* d = dst + (t / w) * panelStride + t % w;
            if (t < width)
            {
                float* row = src + t * ld;
                for (int p = 0; p < steps; p++) d[(nint)p * w] = row[p];
            }
            else
            {
                for (int p = 0; p < steps; p++) d[(nint)p * w] = 0f;
            }
        }
    }
}
