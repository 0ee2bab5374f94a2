using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The additive (Bahdanau) attention score of one query against the keys of its source, forward and backward, each
/// key in a single pass over the attention units: u + p_s, its tanh, the product with v and (backward) every
/// gradient are computed while one vector of units is in registers, instead of one pass over the row per operation.
/// <code>
///   z_s = tanh(u + p_s)          e_s = vᵀ z_s                        (forward, s &lt; length)
///   g_s = ∂L/∂e_s · v ⊙ (1 - z_s²)
///   ∂L/∂u += Σ_s g_s    ∂L/∂p_s += g_s    ∂L/∂v += Σ_s ∂L/∂e_s · z_s   (backward; z_s recomputed, not stored)
/// </code>
/// u = W_q q is the query's part, p_s = W_k k_s the key's. tanh is <see cref="GateActivations"/>' rational fit on every path
/// (absolute error at most 2.7e-7), as in <see cref="LstmGateKernel"/>. Vector512, Vector256 and scalar twins: the widest the JIT accelerates runs, the
/// narrower ones take the units left over.
/// </summary>
public static class AdditiveScoreKernel
{
    /// <summary>
    /// e_s = vᵀ tanh(u + p_s) for the first <c>e.Length</c> keys; <paramref name="keys"/> holds p_0, p_1, … each
    /// <c>u.Length</c> wide.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> u, ReadOnlySpan<float> keys, ReadOnlySpan<float> v, Span<float> e)
    {
        int n = u.Length;
        if (v.Length != n || keys.Length < e.Length * n)
            throw new ArgumentException($"AdditiveScoreKernel: query {n}, v {v.Length}, keys {keys.Length} do not fit {e.Length} keys of {n} units.");
        for (int s = 0; s < e.Length; s++)
        {
            var p = keys.Slice(s * n, n);
            int j = 0;
            float sum = 0f;
            if (Vector512.IsHardwareAccelerated) sum += Forward512(u, p, v, ref j);
            if (Vector256.IsHardwareAccelerated) sum += Forward256(u, p, v, ref j);
            for (; j < n; j++) sum += v[j] * GateActivations.Tanh(u[j] + p[j]);
            e[s] = sum;
        }
    }

    /// <summary>
    /// The chain rule of <see cref="Forward"/> for the gradients <paramref name="de"/> of the first <c>de.Length</c>
    /// scores: adds to <paramref name="du"/> (query), <paramref name="dKeys"/> (p_s rows) and <paramref name="dv"/>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> u, ReadOnlySpan<float> keys, ReadOnlySpan<float> v, ReadOnlySpan<float> de,
        Span<float> du, Span<float> dKeys, Span<float> dv)
    {
        int n = u.Length;
        if (v.Length != n || du.Length != n || dv.Length != n || keys.Length < de.Length * n || dKeys.Length < de.Length * n)
            throw new ArgumentException($"AdditiveScoreKernel: query {n}, v {v.Length}, gradients {du.Length}/{dv.Length}, keys {keys.Length}/{dKeys.Length} do not fit {de.Length} keys of {n} units.");
        for (int s = 0; s < de.Length; s++)
        {
            var p = keys.Slice(s * n, n);
            var dp = dKeys.Slice(s * n, n);
            float d = de[s];
            int j = 0;
            if (Vector512.IsHardwareAccelerated) Backward512(u, p, v, d, du, dp, dv, ref j);
            if (Vector256.IsHardwareAccelerated) Backward256(u, p, v, d, du, dp, dv, ref j);
            for (; j < n; j++)
            {
                float z = GateActivations.Tanh(u[j] + p[j]);
                float g = d * v[j] * (1f - z * z);
                du[j] += g;
                dp[j] += g;
                dv[j] += d * z;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Forward512(ReadOnlySpan<float> u, ReadOnlySpan<float> p, ReadOnlySpan<float> v, ref int j)
    {
        var sum = Vector512<float>.Zero;
        for (; j + 16 <= u.Length; j += 16)
        {
            var x = Vector512.Create<float>(u.Slice(j, 16)) + Vector512.Create<float>(p.Slice(j, 16));
            var z = GateActivations.Tanh(x);
            sum = Vector512.FusedMultiplyAdd(Vector512.Create<float>(v.Slice(j, 16)), z, sum);
        }
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Forward256(ReadOnlySpan<float> u, ReadOnlySpan<float> p, ReadOnlySpan<float> v, ref int j)
    {
        var sum = Vector256<float>.Zero;
        for (; j + 8 <= u.Length; j += 8)
        {
            var x = Vector256.Create<float>(u.Slice(j, 8)) + Vector256.Create<float>(p.Slice(j, 8));
            var z = GateActivations.Tanh(x);
            sum = Vector256.MultiplyAddEstimate(Vector256.Create<float>(v.Slice(j, 8)), z, sum);
        }
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward512(ReadOnlySpan<float> u, ReadOnlySpan<float> p, ReadOnlySpan<float> v, float d,
        Span<float> du, Span<float> dp, Span<float> dv, ref int j)
    {
        var one = Vector512<float>.One;
        var dd = Vector512.Create(d);
        for (; j + 16 <= u.Length; j += 16)
        {
            var x = Vector512.Create<float>(u.Slice(j, 16)) + Vector512.Create<float>(p.Slice(j, 16));
            var z = GateActivations.Tanh(x);
            var g = dd * Vector512.Create<float>(v.Slice(j, 16)) * (one - z * z);
            (Vector512.Create<float>(du.Slice(j, 16)) + g).CopyTo(du.Slice(j, 16));
            (Vector512.Create<float>(dp.Slice(j, 16)) + g).CopyTo(dp.Slice(j, 16));
            Vector512.FusedMultiplyAdd(dd, z, Vector512.Create<float>(dv.Slice(j, 16))).CopyTo(dv.Slice(j, 16));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward256(ReadOnlySpan<float> u, ReadOnlySpan<float> p, ReadOnlySpan<float> v, float d,
        Span<float> du, Span<float> dp, Span<float> dv, ref int j)
    {
        var one = Vector256<float>.One;
        var dd = Vector256.Create(d);
        for (; j + 8 <= u.Length; j += 8)
        {
            var x = Vector256.Create<float>(u.Slice(j, 8)) + Vector256.Create<float>(p.Slice(j, 8));
            var z = GateActivations.Tanh(x);
            var g = dd * Vector256.Create<float>(v.Slice(j, 8)) * (one - z * z);
            (Vector256.Create<float>(du.Slice(j, 8)) + g).CopyTo(du.Slice(j, 8));
            (Vector256.Create<float>(dp.Slice(j, 8)) + g).CopyTo(dp.Slice(j, 8));
            Vector256.MultiplyAddEstimate(dd, z, Vector256.Create<float>(dv.Slice(j, 8))).CopyTo(dv.Slice(j, 8));
        }
    }
}
