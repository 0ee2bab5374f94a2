using System.Buffers;
using System.Numerics.Tensors;

namespace RecurrentSharp.Kernels;

/// <summary>
/// General matrix multiply on row-major float32 matrices:
/// <c>C = alpha * op(A) * op(B) + beta * C</c>, where op(X) is X or its transpose.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C. With <paramref name="transposeA"/>,
    /// A is stored k x m; with <paramref name="transposeB"/>, B is stored n x k. lda, ldb and ldc are
    /// the row strides (elements) of the matrices as stored.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckArguments(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0f) return;

        // Bring B into row-major k x n with row stride n (copy only when needed).
        float[]? packed = null;
        ReadOnlySpan<float> bRows = b;
        int bStride = ldb;
        if (transposeB)
        {
            packed = ArrayPool<float>.Shared.Rent(k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    packed[p * n + j] = b[j * ldb + p];
            bRows = packed.AsSpan(0, k * n);
            bStride = n;
        }
        try
        {
            MultiplyRows(transposeA, m, n, k, alpha, a, lda, bRows, bStride, c, ldc);
        }
        finally
        {
            if (packed is not null) ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>C = A * B for contiguous row-major matrices (no transposes, C overwritten).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
        => Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);

    private static unsafe void MultiplyRows(bool transposeA, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* aPtr = pa, bPtr = pb, cPtr = pc;
            int aLen = a.Length, bLen = b.Length, cLen = c.Length;
            void Row(int i)
            {
                var cRow = new Span<float>(cPtr + (long)i * ldc, n);
                for (int p = 0; p < k; p++)
                {
                    float aip = alpha * (transposeA ? aPtr[(long)p * lda + i] : aPtr[(long)i * lda + p]);
                    if (aip == 0f) continue;
                    var bRow = new ReadOnlySpan<float>(bPtr + (long)p * ldb, n);
                    TensorPrimitives.MultiplyAdd(bRow, aip, cRow, cRow);
                }
            }
            long work = (long)m * n * k;
            if (work < 1 << 18 || KernelThreads.Count == 1 || m == 1)
            {
                for (int i = 0; i < m; i++) Row(i);
            }
            else
            {
                KernelThreads.For(m, Row);
            }
        }
    }

    private static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else TensorPrimitives.Multiply(row, beta, row);
        }
    }

    internal static void CheckArguments(bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Gemm: negative size m={m}, n={n}, k={k}.");
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        if (aRows > 0 && aCols > 0 && (lda < aCols || (long)(aRows - 1) * lda + aCols > aLength))
            throw new ArgumentException($"Gemm: A ({aRows} x {aCols}, lda {lda}) does not fit in {aLength} elements.");
        if (bRows > 0 && bCols > 0 && (ldb < bCols || (long)(bRows - 1) * ldb + bCols > bLength))
            throw new ArgumentException($"Gemm: B ({bRows} x {bCols}, ldb {ldb}) does not fit in {bLength} elements.");
        if (m > 0 && n > 0 && (ldc < n || (long)(m - 1) * ldc + n > cLength))
            throw new ArgumentException($"Gemm: C ({m} x {n}, ldc {ldc}) does not fit in {cLength} elements.");
    }
}
