using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product op(a) · op(b). 2-D: (m, k) x (k, n) = (m, n). Batched: a of shape (..., m, k)
    /// with b of shape (..., k, n) (same leading axes) or (k, n) (shared by every batch).
    /// <paramref name="transposeA"/> / <paramref name="transposeB"/> use the transpose of the last two
    /// axes without copying it (so a Linear layer computes x · Wᵀ directly from W).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        if (a.Rank < 2 || b.Rank < 2)
            throw new TensorShapeException("MatMul", $"needs matrices (rank >= 2), got {TensorShape.Format(a.shape)} x {TensorShape.Format(b.shape)}");
        int aRows = a.shape[^2], aCols = a.shape[^1];
        int bRows = b.shape[^2], bCols = b.shape[^1];
        int m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols;
        int kb = transposeB ? bCols : bRows, n = transposeB ? bRows : bCols;
        if (k != kb)
            throw new TensorShapeException("MatMul", $"inner sizes differ ({k} vs {kb}): {Describe(a, b, transposeA, transposeB)}");
        int[] outShape = [.. a.shape.AsSpan(0, a.Rank - 2), m, n];

        if (a.Rank > 2 && b.Rank == 2)
        {
            if (!transposeA)
            {
                // A batch of (m, k) matrices times one (k, n): one (batch*m, k) x (k, n) product.
                return MatMul(a.Reshape(a.Length / k, k), b, false, transposeB).Reshape(outShape);
            }
            b = b.BroadcastTo([.. a.shape.AsSpan(0, a.Rank - 2), bRows, bCols]);
        }
        if (a.Rank != b.Rank || !a.shape.AsSpan(0, a.Rank - 2).SequenceEqual(b.shape.AsSpan(0, b.Rank - 2)))
            throw new TensorShapeException("MatMul", $"batch axes differ: {Describe(a, b, transposeA, transposeB)}");

        var result = new Tensor(outShape, clear: false);
        int batch = result.Length / Math.Max(1, m * n);
        int aSize = aRows * aCols, bSize = bRows * bCols, cSize = m * n;
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(transposeA, transposeB, m, n, k, 1f, a.Data.Slice(i * aSize, aSize), aCols,
                b.Data.Slice(i * bSize, bSize), bCols, 0f, result.Data.Slice(i * cSize, cSize), n);

        return GradNode.Record("matmul", result, [a, b], g =>
        {
            // C = op(A) op(B), so d op(A) = dC op(B)ᵀ and d op(B) = op(A)ᵀ dC.
            // When A is stored transposed, dA = (d op(A))ᵀ = op(B) dCᵀ; likewise for B.
            Tensor? da = null, db = null;
            if (a.RequiresGrad)
                da = transposeA ? MatMul(b, g, transposeB, true) : MatMul(g, b, false, !transposeB);
            if (b.RequiresGrad)
                db = transposeB ? MatMul(g, a, true, transposeA) : MatMul(a, g, !transposeA, false);
            return [da, db];
        });
    }

    private static string Describe(Tensor a, Tensor b, bool transposeA, bool transposeB) =>
        $"{TensorShape.Format(a.shape)}{(transposeA ? "ᵀ" : "")} x {TensorShape.Format(b.shape)}{(transposeB ? "ᵀ" : "")}";
}
