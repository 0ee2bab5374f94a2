namespace RecurrentSharp.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the microkernels read with unit stride:
/// <list type="bullet">
/// <item>A panel (MR rows): element (i, p) at <c>dst[p * MR + i]</c>, rows past the matrix are 0.</item>
/// <item>B panel (NR columns): element (p, j) at <c>dst[p * NR + j]</c>, columns past the matrix are 0.</item>
/// </list>
/// The transposes are absorbed here: a stored-transposed operand is just read in another order,
/// so there is no other copy.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[row0 .. row0+rows, p0 .. p0+kc] into an <paramref name="mr"/>-row panel.</summary>
    public static void PackA(bool transposeA, float* a, nint lda, int row0, int rows, int p0, int kc, int mr, float* dst)
    {
        if (transposeA)
        {
            // op(A)[i, p] = A[p, i]: each step p is a contiguous run of the stored row p.
            for (int p = 0; p < kc; p++)
            {
                float* src = a + (p0 + p) * lda + row0;
                float* d = dst + (nint)p * mr;
                new ReadOnlySpan<float>(src, rows).CopyTo(new Span<float>(d, rows));
                for (int i = rows; i < mr; i++) d[i] = 0f;
            }
        }
        else
        {
            // op(A)[i, p] = A[i, p]: read each stored row, write it down a column of the panel.
            for (int i = 0; i < rows; i++)
            {
                float* src = a + (row0 + i) * lda + p0;
                float* d = dst + i;
                for (int p = 0; p < kc; p++) d[(nint)p * mr] = src[p];
            }
            for (int i = rows; i < mr; i++)
                for (int p = 0; p < kc; p++) dst[(nint)p * mr + i] = 0f;
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, col0 .. col0+cols] into an <paramref name="nr"/>-column panel.</summary>
    public static void PackB(bool transposeB, float* b, nint ldb, int col0, int cols, int p0, int kc, int nr, float* dst)
    {
        if (!transposeB)
        {
            // op(B)[p, j] = B[p, j]: each step p copies a contiguous run of stored row p.
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (p0 + p) * ldb + col0;
                float* d = dst + (nint)p * nr;
                new ReadOnlySpan<float>(src, cols).CopyTo(new Span<float>(d, cols));
                for (int j = cols; j < nr; j++) d[j] = 0f;
            }
        }
        else
        {
            // op(B)[p, j] = B[j, p]: read each stored row j, write it down a column of the panel.
            for (int j = 0; j < cols; j++)
            {
                float* src = b + (col0 + j) * ldb + p0;
                float* d = dst + j;
                for (int p = 0; p < kc; p++) d[(nint)p * nr] = src[p];
            }
            for (int j = cols; j < nr; j++)
                for (int p = 0; p < kc; p++) dst[(nint)p * nr + j] = 0f;
        }
    }
}
