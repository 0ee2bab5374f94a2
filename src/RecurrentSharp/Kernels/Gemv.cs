using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The single-row product (m = 1, a vector-matrix product: one step of a recurrent layer with batch 1)
/// when B is an ordinary matrix. Each element of B is used once, so packing B would cost as much as
/// the product: instead B is streamed in its stored order.
/// <list type="bullet">
/// <item>B stored k x n: <c>c[j] = beta c[j] + sum_p (alpha x[p]) B[p, j]</c>, four rows of B per pass over c.</item>
/// <item>B stored n x k (transposed): <c>c[j] = alpha dot(x, B[j, :]) + beta c[j]</c>, one contiguous dot product per stored row.</item>
/// </list>
/// Threads split the columns of c into one contiguous block each, so every thread streams long
/// runs of each row of B (short strips of many rows would each start a new page and stall the
/// prefetcher).
/// </summary>
internal sealed unsafe class Gemv : ParallelJob
{
    /// <summary>Parts are a multiple of this many columns (a whole number of cache lines and vectors).</summary>
    private const int ColumnAlignment = 16;

    [ThreadStatic] private static Gemv? perThread;

    private GemmOperands op;
    private GemmPath path;
    private float* x;
    private int columnsPerPart;

    /// <summary>c (1 x n) = alpha * x * op(B) + beta * c, with x = op(A) (1 x k).</summary>
    public static void Run(GemmPath path, in GemmOperands operands, int threads)
    {
        var job = perThread ??= new Gemv();
        job.op = operands;
        job.path = path;
        job.x = operands.A;
        if (operands.TransposeA && operands.Lda != 1)
        {
            // The row of op(A) is a column of the stored A: gather it once.
            job.x = GemmScratch.ForThisThread.UnitA.Get(operands.K);
            for (int p = 0; p < operands.K; p++) job.x[p] = operands.A[p * operands.Lda];
        }
        int columnsPerThread = (operands.N + threads - 1) / threads;
        job.columnsPerPart = (columnsPerThread + ColumnAlignment - 1) / ColumnAlignment * ColumnAlignment;
        int parts = (operands.N + job.columnsPerPart - 1) / job.columnsPerPart;
        KernelThreads.Run(job, parts, threads);
        job.op = default;
    }

    public override void Execute(int part)
    {
        int first = part * columnsPerPart, count = Math.Min(columnsPerPart, op.N - first);
        if (op.TransposeB) DotRows(first, count);
        else StreamRows(first, count);
    }

    /// <summary>Columns first..first+count of c, from B stored n x k: one dot product per stored row, four rows at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotRows(int first, int count)
    {
        int j = first, end = first + count;
        for (; j + 4 <= end; j += 4)
        {
            float* r0 = op.B + j * op.Ldb;
            DotFour(r0, r0 + op.Ldb, r0 + 2 * op.Ldb, r0 + 3 * op.Ldb, op.C + j);
        }
        for (; j < end; j++)
        {
            float* r = op.B + j * op.Ldb;
            DotFour(r, r, r, r, op.C + j, rows: 1);
        }
    }

    /// <summary>
    /// c[i] = alpha * dot(x, r_i) + beta * c[i] for the first <paramref name="rows"/> of r0..r3:
    /// the x vector is loaded once for four rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DotFour(float* r0, float* r1, float* r2, float* r3, float* c, int rows = 4)
    {
        int k = op.K, p = 0;
        float d0 = 0f, d1 = 0f, d2 = 0f, d3 = 0f;
        if (path == GemmPath.Vector512)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; p + 16 <= k; p += 16)
            {
                var xv = Vector512.Load(x + p);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r3 + p), s3);
            }
            d0 = Vector512.Sum(s0); d1 = Vector512.Sum(s1); d2 = Vector512.Sum(s2); d3 = Vector512.Sum(s3);
        }
        else if (path == GemmPath.Vector256)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; p + 8 <= k; p += 8)
            {
                var xv = Vector256.Load(x + p);
                s0 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r0 + p), s0);
                s1 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r1 + p), s1);
                s2 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r2 + p), s2);
                s3 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r3 + p), s3);
            }
            d0 = Vector256.Sum(s0); d1 = Vector256.Sum(s1); d2 = Vector256.Sum(s2); d3 = Vector256.Sum(s3);
        }
        for (; p < k; p++)
        {
            float xp = x[p];
            d0 += xp * r0[p]; d1 += xp * r1[p]; d2 += xp * r2[p]; d3 += xp * r3[p];
        }
        Span<float> dots = [d0, d1, d2, d3];
        for (int i = 0; i < rows; i++)
            c[i] = op.Beta == 0f ? op.Alpha * dots[i] : op.Alpha * dots[i] + op.Beta * c[i];
    }

    /// <summary>Columns first..first+count of c, from B stored k x n: c += (alpha x[p]) B[p, :], four rows p at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void StreamRows(int first, int count)
    {
        float* c = op.C + first;
        // c = beta * c (beta = 0: c is not read).
        if (op.Beta == 0f) new Span<float>(c, count).Clear();
        else if (op.Beta != 1f)
            for (int j = 0; j < count; j++) c[j] *= op.Beta;

        float* b = op.B + first;
        nint ldb = op.Ldb;
        // A managed float[] starts 16 bytes into a cache line, so a 64-byte load from it straddles
        // two lines and the loop runs at half speed. Peel the columns before the first 64-byte
        // boundary of row 0 (all rows share it when ldb is a multiple of 16).
        int head = Math.Min(count, (int)((64 - ((nint)b & 63)) & 63) / sizeof(float));
        int p = 0;
        for (; p + 4 <= op.K; p += 4)
        {
            float* r = b + p * ldb;
            AddFourRows(c, head, count, r, r + ldb, r + 2 * ldb, r + 3 * ldb,
                op.Alpha * x[p], op.Alpha * x[p + 1], op.Alpha * x[p + 2], op.Alpha * x[p + 3]);
        }
        for (; p < op.K; p++)
        {
            float* r = b + p * ldb;
            AddFourRows(c, head, count, r, r, r, r, op.Alpha * x[p], 0f, 0f, 0f);
        }
    }

    /// <summary>c[j] += s0 r0[j] + s1 r1[j] + s2 r2[j] + s3 r3[j] for j &lt; count; the first <paramref name="head"/> columns in narrow steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddFourRows(float* c, int head, int count, float* r0, float* r1, float* r2, float* r3, float s0, float s1, float s2, float s3)
    {
        int j = 0;
        if (path >= GemmPath.Vector256 && Vector128.IsHardwareAccelerated)
        {
            Vector128<float> v0 = Vector128.Create(s0), v1 = Vector128.Create(s1), v2 = Vector128.Create(s2), v3 = Vector128.Create(s3);
            for (; j + 4 <= head; j += 4)
            {
                var sum = Vector128.MultiplyAddEstimate(v0, Vector128.Load(r0 + j), Vector128.Load(c + j));
                sum = Vector128.MultiplyAddEstimate(v1, Vector128.Load(r1 + j), sum);
                sum = Vector128.MultiplyAddEstimate(v2, Vector128.Load(r2 + j), sum);
                Vector128.Store(Vector128.MultiplyAddEstimate(v3, Vector128.Load(r3 + j), sum), c + j);
            }
        }
        for (; j < head; j++) c[j] = AddFour(c[j], s0, r0[j], s1, r1[j], s2, r2[j], s3, r3[j]);
        if (path == GemmPath.Vector512)
        {
            Vector512<float> v0 = Vector512.Create(s0), v1 = Vector512.Create(s1), v2 = Vector512.Create(s2), v3 = Vector512.Create(s3);
            for (; j + 16 <= count; j += 16)
            {
                var sum = Vector512.FusedMultiplyAdd(v0, Vector512.Load(r0 + j), Vector512.Load(c + j));
                sum = Vector512.FusedMultiplyAdd(v1, Vector512.Load(r1 + j), sum);
                sum = Vector512.FusedMultiplyAdd(v2, Vector512.Load(r2 + j), sum);
                Vector512.Store(Vector512.FusedMultiplyAdd(v3, Vector512.Load(r3 + j), sum), c + j);
            }
        }
        if (path >= GemmPath.Vector256)
        {
            Vector256<float> v0 = Vector256.Create(s0), v1 = Vector256.Create(s1), v2 = Vector256.Create(s2), v3 = Vector256.Create(s3);
            for (; j + 8 <= count; j += 8)
            {
                var sum = Vector256.MultiplyAddEstimate(v0, Vector256.Load(r0 + j), Vector256.Load(c + j));
                sum = Vector256.MultiplyAddEstimate(v1, Vector256.Load(r1 + j), sum);
                sum = Vector256.MultiplyAddEstimate(v2, Vector256.Load(r2 + j), sum);
                Vector256.Store(Vector256.MultiplyAddEstimate(v3, Vector256.Load(r3 + j), sum), c + j);
            }
        }
        for (; j < count; j++) c[j] = AddFour(c[j], s0, r0[j], s1, r1[j], s2, r2[j], s3, r3[j]);
    }

    /// <summary>
    /// c + s0 r0 + s1 r1 + s2 r2 + s3 r3 as a chain of multiply-adds in the same order and with the same
    /// rounding as the vector loops, so a column's result does not depend on whether the memory
    /// alignment put it in the peeled head, a vector or the tail (results must not change from run to run).
    /// </summary>
    private static float AddFour(float c, float s0, float r0, float s1, float r1, float s2, float r2, float s3, float r3) =>
        MultiplyAdd(s3, r3, MultiplyAdd(s2, r2, MultiplyAdd(s1, r1, MultiplyAdd(s0, r0, c))));

    /// <summary>a·b + c rounded like Vector128/256.MultiplyAddEstimate on this machine (fused when FMA exists).</summary>
    private static float MultiplyAdd(float a, float b, float c) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
}
