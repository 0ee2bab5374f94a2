using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecurrentSharp.Kernels;

/// <summary>
/// AVX2 microkernel, 6 x 16 tile: 12 ymm accumulators (6 rows x 2 vectors of 8 floats), plus 2 for
/// B and 1 for the broadcast of A: all 16 ymm registers, nothing spills. Same scheme as
/// <see cref="MicroKernel512"/>, half as wide.
/// </summary>
internal readonly unsafe struct MicroKernel256 : IMicroKernel
{
    public static int Rows => 6;
    public static int Columns => 16;
    public static GemmPath Path => GemmPath.Vector256;

    public static void Multiply(int rows, int kc, float* a, nint aStride, float* b,
        float* c, nint ldc, float alpha, float beta)
    {
        switch (rows)
        {
            case 6: Tile<R6>(kc, a, aStride, b, c, ldc, alpha, beta); break;
            case 5: Tile<R5>(kc, a, aStride, b, c, ldc, alpha, beta); break;
            case 4: Tile<R4>(kc, a, aStride, b, c, ldc, alpha, beta); break;
            case 3: PairedTile<R3>(kc, a, aStride, b, c, ldc, alpha, beta); break;
            case 2: PairedTile<R2>(kc, a, aStride, b, c, ldc, alpha, beta); break;
            default: SingleRow(kc, a, aStride, b, c, alpha, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(int kc, float* a, nint aStride, float* b,
        float* c, nint ldc, float alpha, float beta) where TRows : struct, IRowCount
    {
        int r = TRows.Value;
        PrefetchTile(c, ldc, r);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            // c_i += A[i, p] * B[p, 0..15]
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]); c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            if (r > 1) { ai = Vector256.Create(a[1]); c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11); }
            if (r > 2) { ai = Vector256.Create(a[2]); c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21); }
            if (r > 3) { ai = Vector256.Create(a[3]); c30 = Fma(ai, b0, c30); c31 = Fma(ai, b1, c31); }
            if (r > 4) { ai = Vector256.Create(a[4]); c40 = Fma(ai, b0, c40); c41 = Fma(ai, b1, c41); }
            if (r > 5) { ai = Vector256.Create(a[5]); c50 = Fma(ai, b0, c50); c51 = Fma(ai, b1, c51); }
            a += aStride;
            b += 16;
        }
        // C_i = alpha * c_i + beta * C_i
        var va = Vector256.Create(alpha);
        Store(c, c00, c01, va, beta);
        if (r > 1) Store(c + ldc, c10, c11, va, beta);
        if (r > 2) Store(c + 2 * ldc, c20, c21, va, beta);
        if (r > 3) Store(c + 3 * ldc, c30, c31, va, beta);
        if (r > 4) Store(c + 4 * ldc, c40, c41, va, beta);
        if (r > 5) Store(c + 5 * ldc, c50, c51, va, beta);
    }

    /// <summary>
    /// Two or three rows: two steps of p at once, on two sets of accumulators (even p, odd p) summed at the end. With one
    /// set, 4 or 6 independent FMA chains cannot cover the FMA latency (4 cycles, 2 per cycle: 8 chains in flight), so
    /// a 2-row tile ran at half speed (a deep LSTM's steps have B = 32 = 5·6 + 2 rows; perf put the out-of-line tiles, this one
    /// among them, at 8% of its inference on one thread).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PairedTile<TRows>(int kc, float* a, nint aStride, float* b,
        float* c, nint ldc, float alpha, float beta) where TRows : struct, IRowCount
    {
        int r = TRows.Value;
        PrefetchTile(c, ldc, r);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            d00 = default, d01 = default, d10 = default, d11 = default, d20 = default, d21 = default;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            // c_i += A[i, p] * B[p, 0..15] ; d_i += A[i, p+1] * B[p+1, 0..15]
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]); c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            ai = Vector256.Create(a[1]); c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11);
            if (r > 2) { ai = Vector256.Create(a[2]); c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21); }
            b0 = Vector256.Load(b + 16);
            b1 = Vector256.Load(b + 24);
            ai = Vector256.Create(a[aStride]); d00 = Fma(ai, b0, d00); d01 = Fma(ai, b1, d01);
            ai = Vector256.Create(a[aStride + 1]); d10 = Fma(ai, b0, d10); d11 = Fma(ai, b1, d11);
            if (r > 2) { ai = Vector256.Create(a[aStride + 2]); d20 = Fma(ai, b0, d20); d21 = Fma(ai, b1, d21); }
            a += 2 * aStride;
            b += 32;
        }
        if (p < kc)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]); c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            ai = Vector256.Create(a[1]); c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11);
            if (r > 2) { ai = Vector256.Create(a[2]); c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21); }
        }
        var va = Vector256.Create(alpha);
        Store(c, c00 + d00, c01 + d01, va, beta);
        Store(c + ldc, c10 + d10, c11 + d11, va, beta);
        if (r > 2) Store(c + 2 * ldc, c20 + d20, c21 + d21, va, beta);
    }

    /// <summary>One row: four steps of p at once on 8 accumulators, to hide the FMA latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SingleRow(int kc, float* a, nint aStride, float* b, float* c, float alpha, float beta)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int p = 0;
        for (; p + 4 <= kc; p += 4)
        {
            var a0 = Vector256.Create(a[0]);
            s0 = Fma(a0, Vector256.Load(b), s0); s1 = Fma(a0, Vector256.Load(b + 8), s1);
            var a1 = Vector256.Create(a[aStride]);
            s2 = Fma(a1, Vector256.Load(b + 16), s2); s3 = Fma(a1, Vector256.Load(b + 24), s3);
            var a2 = Vector256.Create(a[2 * aStride]);
            s4 = Fma(a2, Vector256.Load(b + 32), s4); s5 = Fma(a2, Vector256.Load(b + 40), s5);
            var a3 = Vector256.Create(a[3 * aStride]);
            s6 = Fma(a3, Vector256.Load(b + 48), s6); s7 = Fma(a3, Vector256.Load(b + 56), s7);
            a += 4 * aStride;
            b += 64;
        }
        for (; p < kc; p++)
        {
            var a0 = Vector256.Create(a[0]);
            s0 = Fma(a0, Vector256.Load(b), s0); s1 = Fma(a0, Vector256.Load(b + 8), s1);
            a += aStride;
            b += 16;
        }
        Store(c, (s0 + s2) + (s4 + s6), (s1 + s3) + (s5 + s7), Vector256.Create(alpha), beta);
    }

    /// <summary>x * y + z; fused where the CPU has FMA (every AVX2 CPU we know of), else multiply then add.</summary>
    /// <summary>
    /// Asks for the C tile's cache lines now, so that the write-back after the kc loop does not
    /// stall on memory (C of a large product is far out of cache).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc, int rows)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++)
        {
            float* row = c + i * ldc;
            Sse.Prefetch0(row);
            Sse.Prefetch0(row + 15);   // 64 bytes: one cache line, two when C is not 64-byte aligned
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> x, Vector256<float> y, Vector256<float> z) => Vector256.MultiplyAddEstimate(x, y, z);

    /// <summary>C[0..15] = alpha * (x0, x1) + beta * C[0..15]; C is not read when beta is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha, float beta)
    {
        if (beta == 0f)
        {
            Vector256.Store(x0 * alpha, c);
            Vector256.Store(x1 * alpha, c + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.Store(Fma(x0, alpha, Vector256.Load(c) * vb), c);
            Vector256.Store(Fma(x1, alpha, Vector256.Load(c + 8) * vb), c + 8);
        }
    }
}
