using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// General matrix multiply on row-major float32 matrices:
/// <c>C = alpha * op(A) * op(B) + beta * C</c>, where op(X) is X or its transpose.
/// Cache-blocked with a register-tiled microkernel (AVX-512, AVX2 or scalar, chosen at start-up)
/// and split over <see cref="KernelThreads.Count"/> threads when the product is large enough.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>The microkernel this process uses: the widest SIMD the JIT accelerates.</summary>
    internal static GemmPath ActivePath { get; } =
        Vector512.IsHardwareAccelerated ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated ? GemmPath.Vector256
        : GemmPath.Scalar;

    /// <summary>The rows per packed A panel the active path's driver uses for a product of <paramref name="m"/> rows (<see cref="GemmDriver{TKernel}.PanelRows"/>).</summary>
    internal static int PanelRows(int m) => ActivePath switch
    {
        GemmPath.Vector512 => GemmDriver<MicroKernel512>.PanelRows(m),
        GemmPath.Vector256 => GemmDriver<MicroKernel256>.PanelRows(m),
        _ => GemmDriver<MicroKernelScalar>.PanelRows(m),
    };

    /// <summary>
    /// Products below this many flops (2·m·n·k) run on one thread: below it, handing work to a
    /// second thread costs about as much as it saves (measured break-even 1-2 MFLOP on 2 cores,
    /// e.g. 32x256x128).
    /// </summary>
    internal static long SerialFlops = 1 << 21;

    /// <summary>
    /// The same threshold for one row times a prepacked matrix (a batch-1 recurrent step, h · W_hhᵀ): it is bound by
    /// reading the matrix from L2, which two cores each do for half the columns, so it pays from a quarter of a
    /// MFLOP (1 × 1024 × 256 at 2 threads: 1.44 → 1.13 ms per 100-step LSTM forward, measured).
    /// </summary>
    internal static long SingleRowSerialFlops = 1 << 18;

    /// <summary>
    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C. With <paramref name="transposeA"/>,
    /// A is stored k x m; with <paramref name="transposeB"/>, B is stored n x k. lda, ldb and ldc are
    /// the row strides (elements) of the matrices as stored. When beta is 0, C is not read.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Multiply(ActivePath, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>C = A * B for contiguous row-major matrices (no transposes, C overwritten).</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
        => Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);

    /// <summary>
    /// C[m x n] = alpha * op(A)[m x k] * B + beta * C with B packed beforehand by <see cref="PackB(bool, int, int, ReadOnlySpan{float}, int, PackedMatrix?)"/>
    /// (k = <see cref="PackedMatrix.Rows"/>, n = <see cref="PackedMatrix.Columns"/>).
    /// </summary>
    public static void Multiply(bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
        => Multiply(KernelThreads.Count, transposeA, m, alpha, a, lda, b, beta, c, ldc);

    internal static void Multiply(int threads, bool transposeA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.Columns, k = b.Rows;
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Gemm: negative size m={m}.");
        CheckMatrix("A", transposeA ? k : m, transposeA ? m : k, a.Length, lda);
        CheckMatrix("C", m, n, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a, pc = c)
        {
            var operands = new GemmOperands
            {
                TransposeA = transposeA, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, C = pc, Ldc = ldc, PackedB = b.Data,
            };
            Run(b.Path, operands, threads, m == 1 ? SingleRowSerialFlops : SerialFlops);
        }
    }

    /// <summary>
    /// Packs op(B) (k x n; stored n x k when <paramref name="transposeB"/>) for repeated products
    /// with <see cref="Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>.
    /// Pass the previous result as <paramref name="reuse"/> to refill it without allocating
    /// (e.g. after an optimizer step changed the weights); it is returned when its shape matches.
    /// </summary>
    public static PackedMatrix PackB(bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb, PackedMatrix? reuse = null)
        => PackB(ActivePath, transposeB, k, n, b, ldb, reuse);

    internal static PackedMatrix PackB(GemmPath path, bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb, PackedMatrix? reuse = null)
    {
        if (k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(k), $"Gemm.PackB: negative size k={k}, n={n}.");
        CheckMatrix("B", transposeB ? n : k, transposeB ? k : n, b.Length, ldb);
        int nr = path switch { GemmPath.Vector512 => MicroKernel512.Columns, GemmPath.Vector256 => MicroKernel256.Columns, _ => MicroKernelScalar.Columns };
        var packed = reuse is not null && reuse.Rows == k && reuse.Columns == n && reuse.Path == path ? reuse : new PackedMatrix(k, n, path, nr);
        const int panelsPerPart = 4;
        int parts = (n + panelsPerPart * nr - 1) / (panelsPerPart * nr);
        fixed (float* pb = b)
        {
            float* source = pb, data = packed.Data;
            void Part(int part)
            {
                int col0 = part * panelsPerPart * nr;
                GemmPacking.PackB(transposeB, source, ldb, col0, Math.Min(panelsPerPart * nr, n - col0), 0, k, nr,
                    data + (nint)col0 * k, (nint)nr * k);
            }
            if ((long)k * n < 1 << 16 || KernelThreads.Count == 1)
                for (int part = 0; part < parts; part++) Part(part);
            else
                KernelThreads.For(parts, Part);
        }
        return packed;
    }

    /// <summary>The general product on a chosen kernel (tests use it to cover every path on one machine).</summary>
    internal static void Multiply(GemmPath path, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Multiply(path, KernelThreads.Count, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>The general product on a chosen kernel and thread count (for tests: threading without touching the process-wide setting).</summary>
    internal static void Multiply(GemmPath path, int threads, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckArguments(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            var operands = new GemmOperands
            {
                TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, B = pb, Ldb = ldb, C = pc, Ldc = ldc,
            };
            if (m == 1) Gemv.Run(path, operands, 2.0 * n * k < SerialFlops ? 1 : threads);
            else Run(path, operands, threads, SerialFlops);
        }
    }

    /// <summary>
    /// Two products with the same left operand: C1 = alpha * op(A) * op(B1) + beta * C1 (m x n1) and C2 = alpha * op(A) * op(B2) + beta * C2
    /// (m x n2). When the wider product packs op(A) (m x k) whole, as it does when several column blocks share it, the other
    /// reads that copy instead of packing one of its own. A recurrent layer's weight gradients are such a pair,
    /// dW_hh = dGᵀ H_prev and dW_ih = dGᵀ X: dG, (T·B, G·H), is the largest operand of its training step (13 MB for a deep
    /// LSTM's B = 32, T = 50, 4H = 2048).
    /// </summary>
    internal static void MultiplySharedLeft(bool transposeA, bool transposeB, int m, int k, float alpha, ReadOnlySpan<float> a, int lda,
        int n1, ReadOnlySpan<float> b1, int ldb1, Span<float> c1, int ldc1,
        int n2, ReadOnlySpan<float> b2, int ldb2, Span<float> c2, int ldc2, float beta)
        => MultiplySharedLeft(ActivePath, transposeA, transposeB, m, k, alpha, a, lda, n1, b1, ldb1, c1, ldc1, n2, b2, ldb2, c2, ldc2, beta);

    /// <summary>The shared-left pair on a chosen kernel (tests use it to cover every path on one machine).</summary>
    internal static void MultiplySharedLeft(GemmPath path, bool transposeA, bool transposeB, int m, int k, float alpha, ReadOnlySpan<float> a, int lda,
        int n1, ReadOnlySpan<float> b1, int ldb1, Span<float> c1, int ldc1,
        int n2, ReadOnlySpan<float> b2, int ldb2, Span<float> c2, int ldc2, float beta)
    {
        CheckArguments(transposeA, transposeB, m, n1, k, a.Length, lda, b1.Length, ldb1, c1.Length, ldc1);
        CheckArguments(transposeA, transposeB, m, n2, k, a.Length, lda, b2.Length, ldb2, c2.Length, ldc2);
        if (m < 2 || n1 == 0 || n2 == 0 || k == 0 || alpha == 0f)
        {
            // Nothing to share (a single row is read in place): two plain products.
            Multiply(path, transposeA, transposeB, m, n1, k, alpha, a, lda, b1, ldb1, beta, c1, ldc1);
            Multiply(path, transposeA, transposeB, m, n2, k, alpha, a, lda, b2, ldb2, beta, c2, ldc2);
            return;
        }
        fixed (float* pa = a, pb1 = b1, pc1 = c1, pb2 = b2, pc2 = c2)
        {
            var one = new GemmOperands
            {
                TransposeA = transposeA, TransposeB = transposeB, M = m, N = n1, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, B = pb1, Ldb = ldb1, C = pc1, Ldc = ldc1,
            };
            var other = one;
            other.N = n2;
            other.B = pb2;
            other.Ldb = ldb2;
            other.C = pc2;
            other.Ldc = ldc2;
            // The wider product first: it is the one more likely to pack op(A) whole
            var (first, second) = n1 >= n2 ? (one, other) : (other, one);
            int threads = 2.0 * m * Math.Min(n1, n2) * k < SerialFlops ? 1 : KernelThreads.Count;
            switch (path)
            {
                case GemmPath.Vector512: GemmDriver<MicroKernel512>.RunPair(first, second, threads); break;
                case GemmPath.Vector256: GemmDriver<MicroKernel256>.RunPair(first, second, threads); break;
                default: GemmDriver<MicroKernelScalar>.RunPair(first, second, threads); break;
            }
        }
    }

    private static void Run(GemmPath path, in GemmOperands operands, int threads, long serialFlops)
    {
        double flops = 2.0 * operands.M * operands.N * operands.K;
        if (flops < serialFlops) threads = 1;
        switch (path)
        {
            case GemmPath.Vector512: GemmDriver<MicroKernel512>.Run(operands, threads); break;
            case GemmPath.Vector256: GemmDriver<MicroKernel256>.Run(operands, threads); break;
            default: GemmDriver<MicroKernelScalar>.Run(operands, threads); break;
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
        CheckMatrix("A", transposeA ? k : m, transposeA ? m : k, aLength, lda);
        CheckMatrix("B", transposeB ? n : k, transposeB ? k : n, bLength, ldb);
        CheckMatrix("C", m, n, cLength, ldc);
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld)
    {
        if (rows > 0 && cols > 0 && (ld < cols || (long)(rows - 1) * ld + cols > length))
            throw new ArgumentException($"Gemm: {name} ({rows} x {cols}, ld{name.ToLowerInvariant()} {ld}) does not fit in {length} elements.");
    }
}
