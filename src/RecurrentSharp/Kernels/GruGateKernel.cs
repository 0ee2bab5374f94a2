using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The element-wise part of one GRU step (PyTorch's form, the reset gate applied after the product) for one sequence,
/// in one pass over its hidden units (two on the Vector256 path, see <c>Forward256</c>), instead of a TensorPrimitives
/// pass over the whole row per operation:
/// <code>
///   r = σ(gx_r + gh_r + b_hr)     z = σ(gx_z + gh_z + b_hz)     hn = gh_n + b_hn
///   n = tanh(gx_n + r ⊙ hn)       h_t = n + z ⊙ (h_{t-1} − n)
/// </code>
/// gx holds W_ih x + b_ih (the input projection), gh holds W_hh h_{t-1} without its bias. σ and tanh come from
/// <see cref="GateActivations"/>, as in <see cref="LstmGateKernel"/>. Vector512, Vector256 and scalar twins: the widest the JIT accelerates runs. Vector256
/// covers the units left over after Vector512, and the scalar twin the fewer than 8 left after that (on AVX2, with H ≥ 8,
/// Vector256 covers all of them itself).
/// </summary>
public static class GruGateKernel
{
    /// <summary>
    /// <paramref name="gx"/> (3H: r, z, n blocks) is replaced by the activations r, z, n; <paramref name="hn"/> receives
    /// gh_n + b_hn (backward needs it for dr); <paramref name="h"/> is h_{t-1} on entry and h_t on return.
    /// <paramref name="hiddenBias"/> is b_hh (3H) or empty.
    /// </summary>
    public static void Forward(Span<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> hiddenBias, Span<float> hn, Span<float> h, int hidden)
        => Forward(gx, gh, default, hiddenBias, hn, h, hidden);

    /// <summary>
    /// <see cref="Forward(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int)"/> with
    /// <paramref name="gx"/> holding W_ih x without its bias, and <paramref name="inputBias"/> b_ih (3H, or empty) added to it here
    /// while each vector is in registers, instead of in a pass over the row before the kernel (1.2% of medium-gru training).
    /// </summary>
    public static void Forward(Span<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hiddenBias, Span<float> hn, Span<float> h, int hidden)
    {
        if (gx.Length != 3 * hidden || gh.Length != 3 * hidden || hn.Length != hidden || h.Length != hidden
            || !(hiddenBias.IsEmpty || hiddenBias.Length == 3 * hidden) || !(inputBias.IsEmpty || inputBias.Length == 3 * hidden))
            throw new ArgumentException($"GruGateKernel: gx {gx.Length}, gh {gh.Length}, biases {inputBias.Length}/{hiddenBias.Length}, hn {hn.Length}, h {h.Length} do not fit 3 gates of {hidden} units.");
        int j = 0;
        if (Vector512.IsHardwareAccelerated) j = Forward512(gx, gh, inputBias, hiddenBias, hn, h, hidden, j);
        if (Vector256.IsHardwareAccelerated) j = Forward256(gx, gh, inputBias, hiddenBias, hn, h, hidden, j);
        ForwardScalar(gx, gh, inputBias, hiddenBias, hn, h, hidden, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward512(Span<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> bias, Span<float> hn, Span<float> h, int H, int j)
    {
        bool hasBias = !bias.IsEmpty, hasInputBias = !inputBias.IsEmpty;
        for (; j + 16 <= H; j += 16)
        {
            var ar = Vector512.Create<float>(gx.Slice(j, 16)) + Vector512.Create<float>(gh.Slice(j, 16));
            var az = Vector512.Create<float>(gx.Slice(H + j, 16)) + Vector512.Create<float>(gh.Slice(H + j, 16));
            var xn = Vector512.Create<float>(gx.Slice(2 * H + j, 16));
            var hidN = Vector512.Create<float>(gh.Slice(2 * H + j, 16));
            if (hasInputBias)
            {
                ar += Vector512.Create<float>(inputBias.Slice(j, 16));
                az += Vector512.Create<float>(inputBias.Slice(H + j, 16));
                xn += Vector512.Create<float>(inputBias.Slice(2 * H + j, 16));
            }
            if (hasBias)
            {
                ar += Vector512.Create<float>(bias.Slice(j, 16));
                az += Vector512.Create<float>(bias.Slice(H + j, 16));
                hidN += Vector512.Create<float>(bias.Slice(2 * H + j, 16));
            }
            var r = GateActivations.Sigmoid(ar);
            var z = GateActivations.Sigmoid(az);
            r.CopyTo(gx.Slice(j, 16));
            z.CopyTo(gx.Slice(H + j, 16));
            hidN.CopyTo(hn.Slice(j, 16));
            var an = Vector512.FusedMultiplyAdd(r, hidN, xn);
            var n = GateActivations.Tanh(an);
            n.CopyTo(gx.Slice(2 * H + j, 16));
            var hPrev = Vector512.Create<float>(h.Slice(j, 16));
            Vector512.FusedMultiplyAdd(z, hPrev - n, n).CopyTo(h.Slice(j, 16));
        }
        return j;
    }

    /// <summary>
    /// The Vector256 forward in two phases over the row, as <see cref="LstmGateKernel"/>'s: phase 1 computes r, z and hn
    /// for every vector of units, phase 2 n (which waits for r) and h_t. Fused in one loop, each iteration chained σ(r)
    /// before tanh(n) and ran latency-bound on an AVX2 EPYC; iterations that do not depend on each other overlap.
    /// Units left over after the whole vectors (when at least 8 units are left from j) are covered as in <see cref="LstmGateKernel"/>: each phase
    /// computes the vector of the last 8 units first, from the values on entry, and stores it last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward256(Span<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> bias, Span<float> hn, Span<float> h, int H, int j)
    {
        if (H - j < 8) return j;
        int first = j, end = j + (H - j) / 8 * 8, last = H - 8;
        bool rest = end < H;
        Span<float> lastValues = stackalloc float[3 * 8];   // the last vectors wait in memory, not in registers, which the loops need
        // Phase 1: r = σ(gx_r + gh_r + b_hr), z = σ(gx_z + gh_z + b_hz), hn = gh_n + b_hn
        if (rest)
        {
            var (lastR, lastZ, lastHn) = ResetUpdate256(gx, gh, inputBias, bias, H, last);
            lastR.CopyTo(lastValues);
            lastZ.CopyTo(lastValues[8..]);
            lastHn.CopyTo(lastValues[16..]);
        }
        for (j = first; j < end; j += 8)
        {
            var (r, z, hidN) = ResetUpdate256(gx, gh, inputBias, bias, H, j);
            r.CopyTo(gx.Slice(j, 8));
            z.CopyTo(gx.Slice(H + j, 8));
            hidN.CopyTo(hn.Slice(j, 8));
        }
        if (rest)
        {
            lastValues[..8].CopyTo(gx.Slice(last, 8));
            lastValues.Slice(8, 8).CopyTo(gx.Slice(H + last, 8));
            lastValues.Slice(16, 8).CopyTo(hn.Slice(last, 8));
        }
        // Phase 2: n = tanh(gx_n + r ⊙ hn), h_t = n + z ⊙ (h_{t-1} − n)
        if (rest)
        {
            var (lastN, lastH) = Candidate256(gx, inputBias, hn, h, H, last);
            lastN.CopyTo(lastValues);
            lastH.CopyTo(lastValues[8..]);
        }
        for (j = first; j < end; j += 8)
        {
            var (n, hNew) = Candidate256(gx, inputBias, hn, h, H, j);
            n.CopyTo(gx.Slice(2 * H + j, 8));
            hNew.CopyTo(h.Slice(j, 8));
        }
        if (rest)
        {
            lastValues[..8].CopyTo(gx.Slice(2 * H + last, 8));
            lastValues.Slice(8, 8).CopyTo(h.Slice(last, 8));
        }
        return H;
    }

    /// <summary>Phase 1 of <see cref="Forward256"/> for units j..j+7: r, z and hn.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> R, Vector256<float> Z, Vector256<float> Hn) ResetUpdate256(ReadOnlySpan<float> gx, ReadOnlySpan<float> gh,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> bias, int H, int j)
    {
        var ar = Vector256.Create<float>(gx.Slice(j, 8)) + Vector256.Create<float>(gh.Slice(j, 8));
        var az = Vector256.Create<float>(gx.Slice(H + j, 8)) + Vector256.Create<float>(gh.Slice(H + j, 8));
        var hidN = Vector256.Create<float>(gh.Slice(2 * H + j, 8));
        if (!inputBias.IsEmpty)
        {
            ar += Vector256.Create<float>(inputBias.Slice(j, 8));
            az += Vector256.Create<float>(inputBias.Slice(H + j, 8));
        }
        if (!bias.IsEmpty)
        {
            ar += Vector256.Create<float>(bias.Slice(j, 8));
            az += Vector256.Create<float>(bias.Slice(H + j, 8));
            hidN += Vector256.Create<float>(bias.Slice(2 * H + j, 8));
        }
        return (GateActivations.Sigmoid(ar), GateActivations.Sigmoid(az), hidN);
    }

    /// <summary>Phase 2 of <see cref="Forward256"/> for units j..j+7: n and h_t.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> N, Vector256<float> H) Candidate256(ReadOnlySpan<float> gx, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> hn,
        ReadOnlySpan<float> h, int H, int j)
    {
        var r = Vector256.Create<float>(gx.Slice(j, 8));
        var z = Vector256.Create<float>(gx.Slice(H + j, 8));
        var xn = Vector256.Create<float>(gx.Slice(2 * H + j, 8));
        if (!inputBias.IsEmpty) xn += Vector256.Create<float>(inputBias.Slice(2 * H + j, 8));
        var n = GateActivations.Tanh(Vector256.MultiplyAddEstimate(r, Vector256.Create<float>(hn.Slice(j, 8)), xn));
        var hPrev = Vector256.Create<float>(h.Slice(j, 8));
        return (n, Vector256.MultiplyAddEstimate(z, hPrev - n, n));
    }

    private static void ForwardScalar(Span<float> gx, ReadOnlySpan<float> gh, ReadOnlySpan<float> inputBias, ReadOnlySpan<float> bias, Span<float> hn, Span<float> h, int H, int j)
    {
        bool hasBias = !bias.IsEmpty, hasInputBias = !inputBias.IsEmpty;
        for (; j < H; j++)
        {
            float xr = gx[j], xz = gx[H + j], xn = gx[2 * H + j];
            if (hasInputBias)
            {
                xr += inputBias[j];
                xz += inputBias[H + j];
                xn += inputBias[2 * H + j];
            }
            float r = GateActivations.Sigmoid(xr + gh[j] + (hasBias ? bias[j] : 0f));
            float z = GateActivations.Sigmoid(xz + gh[H + j] + (hasBias ? bias[H + j] : 0f));
            float hidN = gh[2 * H + j] + (hasBias ? bias[2 * H + j] : 0f);
            gx[j] = r;
            gx[H + j] = z;
            hn[j] = hidN;
            float n = GateActivations.Tanh(MathF.FusedMultiplyAdd(r, hidN, xn));
            gx[2 * H + j] = n;
            h[j] = MathF.FusedMultiplyAdd(z, h[j] - n, n);
        }
    }

    /// <summary>
    /// The chain rule of <see cref="Forward(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int)"/> for one active sequence, in one pass over its hidden units:
    /// <code>
    ///   dz = dh ⊙ (h_{t-1} − n) ⊙ z(1 − z)          dn = dh ⊙ (1 − z) ⊙ (1 − n²)
    ///   dr = dn ⊙ hn ⊙ r(1 − r)                       the h side of n: dn ⊙ r
    ///   dGx = [dr, dz, dn]    dGh = [dr, dz, dn ⊙ r]    dh ← dh ⊙ z   (the direct path; the caller adds dGh W_hh)
    /// </code>
    /// <paramref name="activations"/> are the r, z, n that forward left in the row, <paramref name="hn"/> its gh_n + b_hn.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> activations, ReadOnlySpan<float> previousH, ReadOnlySpan<float> hn, Span<float> dh,
        Span<float> dGx, Span<float> dGh, int hidden)
    {
        if (activations.Length != 3 * hidden || dGx.Length != 3 * hidden || dGh.Length != 3 * hidden || previousH.Length != hidden || hn.Length != hidden || dh.Length != hidden)
            throw new ArgumentException($"GruGateKernel: activations {activations.Length}, gradients {dGx.Length}/{dGh.Length}, states {previousH.Length}/{hn.Length}/{dh.Length} do not fit 3 gates of {hidden} units.");
        int j = 0;
        if (Vector512.IsHardwareAccelerated) j = Backward512(activations, previousH, hn, dh, dGx, dGh, hidden, j);
        if (Vector256.IsHardwareAccelerated) j = Backward256(activations, previousH, hn, dh, dGx, dGh, hidden, j);
        BackwardScalar(activations, previousH, hn, dh, dGx, dGh, hidden, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward512(ReadOnlySpan<float> act, ReadOnlySpan<float> hPrevs, ReadOnlySpan<float> hns, Span<float> dhs,
        Span<float> dGx, Span<float> dGh, int H, int j)
    {
        var one = Vector512<float>.One;
        for (; j + 16 <= H; j += 16)
        {
            var r = Vector512.Create<float>(act.Slice(j, 16));
            var z = Vector512.Create<float>(act.Slice(H + j, 16));
            var n = Vector512.Create<float>(act.Slice(2 * H + j, 16));
            var dh = Vector512.Create<float>(dhs.Slice(j, 16));
            var dz = dh * (Vector512.Create<float>(hPrevs.Slice(j, 16)) - n) * z * (one - z);
            var dn = dh * (one - z) * (one - n * n);
            var dr = dn * Vector512.Create<float>(hns.Slice(j, 16)) * r * (one - r);
            dr.CopyTo(dGx.Slice(j, 16)); dz.CopyTo(dGx.Slice(H + j, 16)); dn.CopyTo(dGx.Slice(2 * H + j, 16));
            dr.CopyTo(dGh.Slice(j, 16)); dz.CopyTo(dGh.Slice(H + j, 16)); (dn * r).CopyTo(dGh.Slice(2 * H + j, 16));
            (dh * z).CopyTo(dhs.Slice(j, 16));
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward256(ReadOnlySpan<float> act, ReadOnlySpan<float> hPrevs, ReadOnlySpan<float> hns, Span<float> dhs,
        Span<float> dGx, Span<float> dGh, int H, int j)
    {
        var one = Vector256<float>.One;
        for (; j + 8 <= H; j += 8)
        {
            var r = Vector256.Create<float>(act.Slice(j, 8));
            var z = Vector256.Create<float>(act.Slice(H + j, 8));
            var n = Vector256.Create<float>(act.Slice(2 * H + j, 8));
            var dh = Vector256.Create<float>(dhs.Slice(j, 8));
            var dz = dh * (Vector256.Create<float>(hPrevs.Slice(j, 8)) - n) * z * (one - z);
            var dn = dh * (one - z) * (one - n * n);
            var dr = dn * Vector256.Create<float>(hns.Slice(j, 8)) * r * (one - r);
            dr.CopyTo(dGx.Slice(j, 8)); dz.CopyTo(dGx.Slice(H + j, 8)); dn.CopyTo(dGx.Slice(2 * H + j, 8));
            dr.CopyTo(dGh.Slice(j, 8)); dz.CopyTo(dGh.Slice(H + j, 8)); (dn * r).CopyTo(dGh.Slice(2 * H + j, 8));
            (dh * z).CopyTo(dhs.Slice(j, 8));
        }
        return j;
    }

    private static void BackwardScalar(ReadOnlySpan<float> act, ReadOnlySpan<float> hPrevs, ReadOnlySpan<float> hns, Span<float> dhs,
        Span<float> dGx, Span<float> dGh, int H, int j)
    {
        for (; j < H; j++)
        {
            float r = act[j], z = act[H + j], n = act[2 * H + j], dh = dhs[j];
            float dz = dh * (hPrevs[j] - n) * z * (1f - z);
            float dn = dh * (1f - z) * (1f - n * n);
            float dr = dn * hns[j] * r * (1f - r);
            dGx[j] = dr; dGx[H + j] = dz; dGx[2 * H + j] = dn;
            dGh[j] = dr; dGh[H + j] = dz; dGh[2 * H + j] = dn * r;
            dhs[j] = dh * z;
        }
    }
}
