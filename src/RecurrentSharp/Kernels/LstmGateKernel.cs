using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The element-wise part of one LSTM step for one sequence, forward and backward. Backward, the Vector512 forward and the scalar twin
/// make a single pass over the hidden units: each vector of units is loaded once, and all its gates, c_t, tanh(c_t) and h_t are
/// computed while it is in registers. The Vector256 forward makes two passes over the row, still in L1: one activates the gate blocks, the
/// other computes c_t, tanh(c_t) and h_t (see <c>Forward256</c> for why).
/// <code>
///   i = σ(a_i + p_i ⊙ c)     f = σ(a_f + p_f ⊙ c)   (coupled: f = 1 - i)     g = tanh(a_g)
///   c' = f ⊙ c + i ⊙ g       o = σ(a_o + p_o ⊙ c')     h = o ⊙ tanh(c')
/// </code>
/// σ and tanh come from <see cref="GateActivations"/> on every path: a rational fit of tanh, σ(x) = ½ + ½ tanh(x/2)
/// (absolute error at most 2.7e-7). Vector512, Vector256 and scalar twins: the widest the JIT accelerates runs.
/// The units left over (fewer than 16 or 8) go through one more vector over the last 16 or 8 units, computed from the values as they
/// are on entry (see <c>ForwardOverlap512</c> and <c>Forward256</c>); rows shorter than one vector go through a zero-padded one. The
/// scalar twin runs alone only where neither vector width is accelerated.
/// </summary>
public static class LstmGateKernel
{
    /// <summary>
    /// <paramref name="row"/> holds the pre-activations of one sequence, gate blocks of <paramref name="hidden"/>
    /// units in the order i, f, g, o (coupled: i, g, o); they are replaced by the activations i, f, g, o.
    /// <paramref name="c"/> is c_{t-1} on entry and c_t on return; <paramref name="tanhC"/> and <paramref name="h"/>
    /// receive tanh(c_t) and h_t. <paramref name="peephole"/> is empty or the (3, H) rows p_i, p_f, p_o
    /// ((2, H): p_i, p_o when coupled).
    /// </summary>
    public static void Forward(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int hidden,
        ReadOnlySpan<float> peephole, bool coupled)
    {
        int gates = coupled ? 3 : 4;
        if (row.Length != gates * hidden || c.Length != hidden || tanhC.Length != hidden || h.Length != hidden
            || !(peephole.IsEmpty || peephole.Length == (gates - 1) * hidden))
            throw new ArgumentException($"LstmGateKernel: row {row.Length}, c {c.Length}, tanhC {tanhC.Length}, h {h.Length}, peephole {peephole.Length} do not fit {gates} gates of {hidden} units.");
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            if (hidden > 16 && hidden % 16 != 0)
            {
                ForwardOverlap512(row, c, tanhC, h, hidden, peephole, coupled);
                return;
            }
            j = Forward512(row, c, tanhC, h, hidden, peephole, coupled, j);
            if (j < hidden) ForwardTail(row, c, tanhC, h, hidden, peephole, coupled, j, 16);
            return;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            j = Forward256(row, c, tanhC, h, hidden, peephole, coupled, j);
            if (j < hidden) ForwardTail(row, c, tanhC, h, hidden, peephole, coupled, j, 8);
            return;
        }
        ForwardScalar(row, c, tanhC, h, hidden, peephole, coupled, j);
    }

    /// <summary>
    /// The last n &lt; W units on a vector path of W lanes (16 or 8): copied into one zero-padded vector per gate block,
    /// run through <see cref="Forward512"/> or <see cref="Forward256"/> as a row of W units, and the n real units copied
    /// back (one vector pass instead of n scalar ones; the padding lanes compute σ(0) and tanh(0) and are dropped).
    /// </summary>
    private static void ForwardTail(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H,
        ReadOnlySpan<float> p, bool coupled, int j, int W)
    {
        int gates = coupled ? 3 : 4, n = H - j;
        Span<float> paddedRow = stackalloc float[4 * 16], paddedC = stackalloc float[16], paddedTanhC = stackalloc float[16],
            paddedH = stackalloc float[16], paddedP = stackalloc float[3 * 16];
        paddedRow.Clear(); paddedC.Clear(); paddedP.Clear();
        paddedRow = paddedRow[..(gates * W)];
        paddedC = paddedC[..W]; paddedTanhC = paddedTanhC[..W]; paddedH = paddedH[..W];
        for (int g = 0; g < gates; g++) row.Slice(g * H + j, n).CopyTo(paddedRow.Slice(g * W, n));
        c.Slice(j, n).CopyTo(paddedC);
        int peepholeRows = p.IsEmpty ? 0 : gates - 1;
        for (int g = 0; g < peepholeRows; g++) p.Slice(g * H + j, n).CopyTo(paddedP.Slice(g * W, n));
        var paddedPeephole = p.IsEmpty ? default : paddedP[..(peepholeRows * W)];
        if (W == 16) Forward512(paddedRow, paddedC, paddedTanhC, paddedH, W, paddedPeephole, coupled, 0);
        else Forward256(paddedRow, paddedC, paddedTanhC, paddedH, W, paddedPeephole, coupled, 0);
        for (int g = 0; g < gates; g++) paddedRow.Slice(g * W, n).CopyTo(row.Slice(g * H + j, n));
        paddedC[..n].CopyTo(c.Slice(j, n));
        paddedTanhC[..n].CopyTo(tanhC.Slice(j, n));
        paddedH[..n].CopyTo(h.Slice(j, n));
    }

    /// <summary>
    /// The chain rule of <see cref="Forward"/> for one sequence, in one pass over its hidden units:
    /// <code>
    ///   da_o = dh ⊙ tanh(c_t) ⊙ o(1 - o)
    ///   dc  += dh ⊙ o ⊙ (1 - tanh²(c_t))  [+ da_o ⊙ p_o]
    ///   da_g = dc ⊙ i ⊙ (1 - g²)
    ///   da_i = dc ⊙ g ⊙ i(1 - i)          (coupled: dc ⊙ (g - c_{t-1}) ⊙ i(1 - i))
    ///   da_f = dc ⊙ c_{t-1} ⊙ f(1 - f)
    ///   dc_{t-1} = dc ⊙ f                   (coupled: dc ⊙ (1 - i))   [+ da_i ⊙ p_i + da_f ⊙ p_f]
    ///   dp_i += da_i ⊙ c_{t-1}   dp_f += da_f ⊙ c_{t-1}   dp_o += da_o ⊙ c_t
    /// </code>
    /// <paramref name="activations"/> are the i, f, g, o that forward left in the row; <paramref name="dc"/> is
    /// d c_t on entry and d c_{t-1} on return; <paramref name="gateGrads"/> receives da in the row's layout;
    /// <paramref name="peepholeGrads"/> (same shape as <paramref name="peephole"/>, or empty) is added to.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> activations, ReadOnlySpan<float> previousC, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> gateGrads, int hidden, ReadOnlySpan<float> peephole,
        Span<float> peepholeGrads, bool coupled)
    {
        int gates = coupled ? 3 : 4;
        if (activations.Length != gates * hidden || gateGrads.Length != gates * hidden || previousC.Length != hidden
            || tanhC.Length != hidden || dh.Length != hidden || dc.Length != hidden
            || !(peephole.IsEmpty || peephole.Length == (gates - 1) * hidden) || peepholeGrads.Length != peephole.Length)
            throw new ArgumentException($"LstmGateKernel: activations {activations.Length}, gradients {gateGrads.Length}, states {previousC.Length}/{tanhC.Length}/{dh.Length}/{dc.Length}, peephole {peephole.Length}/{peepholeGrads.Length} do not fit {gates} gates of {hidden} units.");
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            if (hidden > 16 && hidden % 16 != 0)
            {
                BackwardOverlap512(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled);
                return;
            }
            j = Backward512(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled, j);
            if (j < hidden) BackwardTail(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled, j, 16);
            return;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            j = Backward256(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled, j);
            if (j < hidden) BackwardTail(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled, j, 8);
            return;
        }
        BackwardScalar(activations, previousC, tanhC, dh, dc, gateGrads, hidden, peephole, peepholeGrads, coupled, j);
    }

    /// <summary>The last n &lt; W units of <see cref="Backward"/> on a vector path of W lanes, zero-padded as in <see cref="ForwardTail"/>.</summary>
    private static void BackwardTail(ReadOnlySpan<float> act, ReadOnlySpan<float> cPrevs, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dhs, Span<float> dcs, Span<float> da, int H, ReadOnlySpan<float> p, Span<float> dp, bool coupled, int j, int W)
    {
        int gates = coupled ? 3 : 4, n = H - j;
        Span<float> paddedAct = stackalloc float[4 * 16], paddedCPrev = stackalloc float[16], paddedTanhC = stackalloc float[16],
            paddedDh = stackalloc float[16], paddedDc = stackalloc float[16], paddedDa = stackalloc float[4 * 16],
            paddedP = stackalloc float[3 * 16], paddedDp = stackalloc float[3 * 16];
        paddedAct.Clear(); paddedCPrev.Clear(); paddedTanhC.Clear(); paddedDh.Clear(); paddedDc.Clear(); paddedP.Clear(); paddedDp.Clear();
        paddedAct = paddedAct[..(gates * W)];
        paddedDa = paddedDa[..(gates * W)];
        paddedCPrev = paddedCPrev[..W]; paddedTanhC = paddedTanhC[..W]; paddedDh = paddedDh[..W]; paddedDc = paddedDc[..W];
        for (int g = 0; g < gates; g++) act.Slice(g * H + j, n).CopyTo(paddedAct.Slice(g * W, n));
        cPrevs.Slice(j, n).CopyTo(paddedCPrev);
        tanhC.Slice(j, n).CopyTo(paddedTanhC);
        dhs.Slice(j, n).CopyTo(paddedDh);
        dcs.Slice(j, n).CopyTo(paddedDc);
        int peepholeRows = p.IsEmpty ? 0 : gates - 1;
        for (int g = 0; g < peepholeRows; g++) p.Slice(g * H + j, n).CopyTo(paddedP.Slice(g * W, n));
        ReadOnlySpan<float> paddedPeephole = p.IsEmpty ? default : paddedP[..(peepholeRows * W)];
        Span<float> paddedPeepholeGrads = p.IsEmpty ? default : paddedDp[..(peepholeRows * W)];
        if (W == 16) Backward512(paddedAct, paddedCPrev, paddedTanhC, paddedDh, paddedDc, paddedDa, W, paddedPeephole, paddedPeepholeGrads, coupled, 0);
        else Backward256(paddedAct, paddedCPrev, paddedTanhC, paddedDh, paddedDc, paddedDa, W, paddedPeephole, paddedPeepholeGrads, coupled, 0);
        for (int g = 0; g < gates; g++) paddedDa.Slice(g * W, n).CopyTo(da.Slice(g * H + j, n));
        paddedDc[..n].CopyTo(dcs.Slice(j, n));
        // the peephole gradients are sums: the padded kernel added this row's terms to zeros, so add those on
        for (int g = 0; g < peepholeRows; g++)
            for (int k = 0; k < n; k++) dp[g * H + j + k] += paddedDp[g * W + k];
    }

    /// <summary>
    /// <see cref="Forward512"/> over a row of H &gt; 16 units that is not a whole number of vectors: the last 16 units (the n = H mod 16
    /// left over and 16 − n before them) are copied out as they are on entry, the whole vectors run in place, and the copy then runs
    /// as a row of 16 and is stored over the last 16 units. Its first 16 − n lanes repeat units the loop already wrote, from the same
    /// inputs with the same operations, so they store the same values. Copying only the n units into zero-padded vectors after the
    /// loop (<see cref="ForwardTail"/>, kept for rows under 16 units) took ~15 small copies and a clear per row: 5.6% of mnist-rows
    /// inference at H = 100, against 11% for its six whole vectors.
    /// </summary>
    private static void ForwardOverlap512(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H,
        ReadOnlySpan<float> p, bool coupled)
    {
        const int W = 16;
        int gates = coupled ? 3 : 4, last = H - W, peepholeRows = p.IsEmpty ? 0 : gates - 1;
        Span<float> lastRow = stackalloc float[4 * W], lastC = stackalloc float[W], lastTanhC = stackalloc float[W],
            lastH = stackalloc float[W], lastP = stackalloc float[3 * W];
        for (int g = 0; g < gates; g++) Vector512.Create<float>(row.Slice(g * H + last, W)).CopyTo(lastRow.Slice(g * W, W));
        Vector512.Create<float>(c.Slice(last, W)).CopyTo(lastC);
        for (int g = 0; g < peepholeRows; g++) Vector512.Create<float>(p.Slice(g * H + last, W)).CopyTo(lastP.Slice(g * W, W));
        Forward512(row, c, tanhC, h, H, p, coupled, 0);
        Forward512(lastRow[..(gates * W)], lastC, lastTanhC, lastH, W, p.IsEmpty ? default : lastP[..(peepholeRows * W)], coupled, 0);
        for (int g = 0; g < gates; g++) Vector512.Create<float>(lastRow.Slice(g * W, W)).CopyTo(row.Slice(g * H + last, W));
        Vector512.Create<float>(lastC).CopyTo(c.Slice(last, W));
        Vector512.Create<float>(lastTanhC).CopyTo(tanhC.Slice(last, W));
        Vector512.Create<float>(lastH).CopyTo(h.Slice(last, W));
    }

    /// <summary>
    /// <see cref="Backward512"/> over a row of H &gt; 16 units that is not a whole number of vectors, the last 16 units copied out on entry
    /// and run as a row of 16 after the loop, as in <see cref="ForwardOverlap512"/> (dc is read and written in place, so its copy is taken
    /// first). The peephole gradients are sums: the copy adds its terms to zeros, and only the n units the loop did not reach are added on.
    /// </summary>
    private static void BackwardOverlap512(ReadOnlySpan<float> act, ReadOnlySpan<float> cPrevs, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dhs, Span<float> dcs, Span<float> da, int H, ReadOnlySpan<float> p, Span<float> dp, bool coupled)
    {
        const int W = 16;
        int gates = coupled ? 3 : 4, last = H - W, peepholeRows = p.IsEmpty ? 0 : gates - 1, repeated = H / W * W - last;
        Span<float> lastAct = stackalloc float[4 * W], lastCPrev = stackalloc float[W], lastTanhC = stackalloc float[W],
            lastDh = stackalloc float[W], lastDc = stackalloc float[W], lastDa = stackalloc float[4 * W],
            lastP = stackalloc float[3 * W], lastDp = stackalloc float[3 * W];
        for (int g = 0; g < gates; g++) Vector512.Create<float>(act.Slice(g * H + last, W)).CopyTo(lastAct.Slice(g * W, W));
        Vector512.Create<float>(cPrevs.Slice(last, W)).CopyTo(lastCPrev);
        Vector512.Create<float>(tanhC.Slice(last, W)).CopyTo(lastTanhC);
        Vector512.Create<float>(dhs.Slice(last, W)).CopyTo(lastDh);
        Vector512.Create<float>(dcs.Slice(last, W)).CopyTo(lastDc);
        for (int g = 0; g < peepholeRows; g++) Vector512.Create<float>(p.Slice(g * H + last, W)).CopyTo(lastP.Slice(g * W, W));
        lastDp.Clear();
        Backward512(act, cPrevs, tanhC, dhs, dcs, da, H, p, dp, coupled, 0);
        Backward512(lastAct[..(gates * W)], lastCPrev, lastTanhC, lastDh, lastDc, lastDa[..(gates * W)], W,
            p.IsEmpty ? default : lastP[..(peepholeRows * W)], p.IsEmpty ? default : lastDp[..(peepholeRows * W)], coupled, 0);
        for (int g = 0; g < gates; g++) Vector512.Create<float>(lastDa.Slice(g * W, W)).CopyTo(da.Slice(g * H + last, W));
        Vector512.Create<float>(lastDc).CopyTo(dcs.Slice(last, W));
        for (int g = 0; g < peepholeRows; g++)
            for (int k = repeated; k < W; k++) dp[g * H + last + k] += lastDp[g * W + k];
    }

    // Offsets of the gate blocks in a row: i at 0, f at H, g at (coupled ? H : 2H), o at (coupled ? 2H : 3H).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward512(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H,
        ReadOnlySpan<float> p, bool coupled, int j)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        for (; j + 16 <= H; j += 16)
        {
            var cPrev = Vector512.Create<float>(c.Slice(j, 16));
            var ai = Vector512.Create<float>(row.Slice(j, 16));
            if (peep) ai = Vector512.FusedMultiplyAdd(Vector512.Create<float>(p.Slice(j, 16)), cPrev, ai);
            var i = GateActivations.Sigmoid(ai);
            var g = GateActivations.Tanh(Vector512.Create<float>(row.Slice(gOffset + j, 16)));
            Vector512<float> cNew;
            if (coupled)
            {
                cNew = Vector512.FusedMultiplyAdd(i, g - cPrev, cPrev);  // c + i ⊙ (g - c)
            }
            else
            {
                var af = Vector512.Create<float>(row.Slice(H + j, 16));
                if (peep) af = Vector512.FusedMultiplyAdd(Vector512.Create<float>(p.Slice(H + j, 16)), cPrev, af);
                var f = GateActivations.Sigmoid(af);
                f.CopyTo(row.Slice(H + j, 16));
                cNew = Vector512.FusedMultiplyAdd(i, g, f * cPrev);
            }
            var ao = Vector512.Create<float>(row.Slice(oOffset + j, 16));
            if (peep) ao = Vector512.FusedMultiplyAdd(Vector512.Create<float>(p.Slice(p.Length - H + j, 16)), cNew, ao);
            var o = GateActivations.Sigmoid(ao);
            var tc = GateActivations.Tanh(cNew);
            i.CopyTo(row.Slice(j, 16));
            g.CopyTo(row.Slice(gOffset + j, 16));
            o.CopyTo(row.Slice(oOffset + j, 16));
            cNew.CopyTo(c.Slice(j, 16));
            tc.CopyTo(tanhC.Slice(j, 16));
            (o * tc).CopyTo(h.Slice(j, 16));
        }
        return j;
    }

    /// <summary>
    /// The Vector256 forward in two phases over the row. Phase 1 activates the gates that do not need c_t, one gate block per
    /// loop; phase 2 computes c_t, o (whose peephole reads c_t), tanh(c_t) and h_t. One loop over all gates at once chains
    /// two exponentials per vector (σ(i) before tanh(c_t)) and holds five of them in one iteration of about 250 instructions,
    /// more than the out-of-order window overlaps, so it ran latency-bound: 3.9 ns per unit at H = 512 on an EPYC (AVX2).
    /// Short loops whose iterations do not depend on each other keep several exponentials in flight; the row is still in L1
    /// for phase 2. Each value is computed with the same operations in the same order as before, so the twins still agree.
    /// <para>Units left over after the whole vectors (H not a multiple of 8, at least 8 units): each loop first computes
    /// the vector of the last 8 units from the values as they are on entry, runs, and stores that vector last. Its first
    /// lanes repeat units the loop already wrote, with the same values. (Copying the rest into a padded vector, as
    /// <see cref="ForwardTail"/> does for rows under 8 units, cost a quarter of the gate time at H = 100.)</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Forward256(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H,
        ReadOnlySpan<float> p, bool coupled, int j)
    {
        if (H - j < 8) return j;
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        int first = j, end = j + (H - j) / 8 * 8, last = H - 8;

        // Phase 1: i = σ(a_i [+ p_i ⊙ c_{t-1}]), f = σ(a_f [+ p_f ⊙ c_{t-1}]), g = tanh(a_g), and o = σ(a_o) when it has no peephole
        Sigmoid256(row.Slice(0, H), peep ? p.Slice(0, H) : default, c, first, end);
        if (!coupled) Sigmoid256(row.Slice(H, H), peep ? p.Slice(H, H) : default, c, first, end);
        var gate = row.Slice(gOffset, H);
        // (the last vectors wait in memory, not in registers, which the loops need)
        Span<float> lastValues = stackalloc float[3 * 8];
        bool rest = end < H;
        if (rest) GateActivations.Tanh(Vector256.Create<float>(gate.Slice(last, 8))).CopyTo(lastValues);
        for (j = first; j < end; j += 8)
            GateActivations.Tanh(Vector256.Create<float>(gate.Slice(j, 8))).CopyTo(gate.Slice(j, 8));
        if (rest) lastValues[..8].CopyTo(gate.Slice(last, 8));
        if (!peep) Sigmoid256(row.Slice(oOffset, H), default, c, first, end);

        // Phase 2: c_t = f ⊙ c_{t-1} + i ⊙ g (coupled: c + i ⊙ (g - c)); o = σ(a_o + p_o ⊙ c_t) with peepholes; h_t = o ⊙ tanh(c_t)
        if (rest)
        {
            var (lastC, lastO, lastTanhC) = Cell256(row, c, p, H, last, coupled);
            lastC.CopyTo(lastValues);
            lastO.CopyTo(lastValues[8..]);
            lastTanhC.CopyTo(lastValues[16..]);
        }
        for (j = first; j < end; j += 8)
        {
            var (cNew, o, tc) = Cell256(row, c, p, H, j, coupled);
            StoreCell256(row, c, tanhC, h, H, j, peep, coupled, cNew, o, tc);
        }
        if (rest)
            StoreCell256(row, c, tanhC, h, H, last, peep, coupled, Vector256.Create<float>(lastValues[..8]),
                Vector256.Create<float>(lastValues.Slice(8, 8)), Vector256.Create<float>(lastValues.Slice(16, 8)));
        return H;
    }

    /// <summary>Phase 2 of <see cref="Forward256"/> for units j..j+7: c_t, o (σ here only with a peephole) and tanh(c_t).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> C, Vector256<float> O, Vector256<float> TanhC) Cell256(ReadOnlySpan<float> row, ReadOnlySpan<float> c,
        ReadOnlySpan<float> p, int H, int j, bool coupled)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        var cPrev = Vector256.Create<float>(c.Slice(j, 8));
        var i = Vector256.Create<float>(row.Slice(j, 8));
        var g = Vector256.Create<float>(row.Slice(gOffset + j, 8));
        var cNew = coupled
            ? Vector256.MultiplyAddEstimate(i, g - cPrev, cPrev)
            : Vector256.MultiplyAddEstimate(i, g, Vector256.Create<float>(row.Slice(H + j, 8)) * cPrev);
        var o = Vector256.Create<float>(row.Slice(oOffset + j, 8));
        if (!p.IsEmpty) o = GateActivations.Sigmoid(Vector256.MultiplyAddEstimate(Vector256.Create<float>(p.Slice(p.Length - H + j, 8)), cNew, o));
        return (cNew, o, GateActivations.Tanh(cNew));
    }

    /// <summary>Stores what <see cref="Cell256"/> computed for units j..j+7: c_t, tanh(c_t), h_t = o ⊙ tanh(c_t), and o when it has a peephole.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreCell256(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H, int j, bool peep, bool coupled,
        Vector256<float> cNew, Vector256<float> o, Vector256<float> tc)
    {
        if (peep) o.CopyTo(row.Slice((coupled ? 2 * H : 3 * H) + j, 8));
        cNew.CopyTo(c.Slice(j, 8));
        tc.CopyTo(tanhC.Slice(j, 8));
        (o * tc).CopyTo(h.Slice(j, 8));
    }

    /// <summary>
    /// gate[j] = σ(gate[j] + p[j] · c[j]) for j in [first, end), whole vectors, and for the last 8 units of the gate block
    /// (computed first, stored last; see <see cref="Forward256"/>). p empty: no peephole term.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sigmoid256(Span<float> gate, ReadOnlySpan<float> p, ReadOnlySpan<float> c, int first, int end)
    {
        bool peep = !p.IsEmpty, rest = end < gate.Length;
        int last = gate.Length - 8;
        Span<float> lastValue = stackalloc float[8];
        if (rest)
        {
            var a = Vector256.Create<float>(gate.Slice(last, 8));
            if (peep) a = Vector256.MultiplyAddEstimate(Vector256.Create<float>(p.Slice(last, 8)), Vector256.Create<float>(c.Slice(last, 8)), a);
            GateActivations.Sigmoid(a).CopyTo(lastValue);
        }
        for (int j = first; j < end; j += 8)
        {
            var a = Vector256.Create<float>(gate.Slice(j, 8));
            if (peep) a = Vector256.MultiplyAddEstimate(Vector256.Create<float>(p.Slice(j, 8)), Vector256.Create<float>(c.Slice(j, 8)), a);
            GateActivations.Sigmoid(a).CopyTo(gate.Slice(j, 8));
        }
        if (rest) lastValue.CopyTo(gate.Slice(last, 8));
    }

    private static void ForwardScalar(Span<float> row, Span<float> c, Span<float> tanhC, Span<float> h, int H,
        ReadOnlySpan<float> p, bool coupled, int j)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        for (; j < H; j++)
        {
            float cPrev = c[j];
            float i = GateActivations.Sigmoid(row[j] + (peep ? p[j] * cPrev : 0f));
            float g = GateActivations.Tanh(row[gOffset + j]);
            float cNew;
            if (coupled) cNew = cPrev + i * (g - cPrev);
            else
            {
                float f = GateActivations.Sigmoid(row[H + j] + (peep ? p[H + j] * cPrev : 0f));
                row[H + j] = f;
                cNew = f * cPrev + i * g;
            }
            float o = GateActivations.Sigmoid(row[oOffset + j] + (peep ? p[p.Length - H + j] * cNew : 0f));
            float tc = GateActivations.Tanh(cNew);
            row[j] = i;
            row[gOffset + j] = g;
            row[oOffset + j] = o;
            c[j] = cNew;
            tanhC[j] = tc;
            h[j] = o * tc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward512(ReadOnlySpan<float> act, ReadOnlySpan<float> cPrevs, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dhs, Span<float> dcs, Span<float> da, int H, ReadOnlySpan<float> p, Span<float> dp, bool coupled, int j)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        var one = Vector512<float>.One;
        for (; j + 16 <= H; j += 16)
        {
            var i = Vector512.Create<float>(act.Slice(j, 16));
            var g = Vector512.Create<float>(act.Slice(gOffset + j, 16));
            var o = Vector512.Create<float>(act.Slice(oOffset + j, 16));
            var tc = Vector512.Create<float>(tanhC.Slice(j, 16));
            var dh = Vector512.Create<float>(dhs.Slice(j, 16));
            var cPrev = Vector512.Create<float>(cPrevs.Slice(j, 16));
            var dao = dh * tc * o * (one - o);
            var dc = Vector512.Create<float>(dcs.Slice(j, 16)) + dh * o * (one - tc * tc);
            if (peep) dc = Vector512.FusedMultiplyAdd(dao, Vector512.Create<float>(p.Slice(p.Length - H + j, 16)), dc);
            (dc * i * (one - g * g)).CopyTo(da.Slice(gOffset + j, 16));
            Vector512<float> dai, dcPrev, cNow;
            if (coupled)
            {
                dai = dc * (g - cPrev) * i * (one - i);
                dcPrev = dc * (one - i);
                cNow = Vector512.FusedMultiplyAdd(i, g - cPrev, cPrev);
            }
            else
            {
                var f = Vector512.Create<float>(act.Slice(H + j, 16));
                dai = dc * g * i * (one - i);
                var daf = dc * cPrev * f * (one - f);
                daf.CopyTo(da.Slice(H + j, 16));
                dcPrev = dc * f;
                cNow = Vector512.FusedMultiplyAdd(f, cPrev, i * g);
                if (peep)
                {
                    dcPrev = Vector512.FusedMultiplyAdd(daf, Vector512.Create<float>(p.Slice(H + j, 16)), dcPrev);
                    Vector512.FusedMultiplyAdd(daf, cPrev, Vector512.Create<float>(dp.Slice(H + j, 16))).CopyTo(dp.Slice(H + j, 16));
                }
            }
            if (peep)
            {
                dcPrev = Vector512.FusedMultiplyAdd(dai, Vector512.Create<float>(p.Slice(j, 16)), dcPrev);
                Vector512.FusedMultiplyAdd(dai, cPrev, Vector512.Create<float>(dp.Slice(j, 16))).CopyTo(dp.Slice(j, 16));
                int po = p.Length - H + j;
                Vector512.FusedMultiplyAdd(dao, cNow, Vector512.Create<float>(dp.Slice(po, 16))).CopyTo(dp.Slice(po, 16));
            }
            dai.CopyTo(da.Slice(j, 16));
            dao.CopyTo(da.Slice(oOffset + j, 16));
            dcPrev.CopyTo(dcs.Slice(j, 16));
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Backward256(ReadOnlySpan<float> act, ReadOnlySpan<float> cPrevs, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dhs, Span<float> dcs, Span<float> da, int H, ReadOnlySpan<float> p, Span<float> dp, bool coupled, int j)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        var one = Vector256<float>.One;
        for (; j + 8 <= H; j += 8)
        {
            var i = Vector256.Create<float>(act.Slice(j, 8));
            var g = Vector256.Create<float>(act.Slice(gOffset + j, 8));
            var o = Vector256.Create<float>(act.Slice(oOffset + j, 8));
            var tc = Vector256.Create<float>(tanhC.Slice(j, 8));
            var dh = Vector256.Create<float>(dhs.Slice(j, 8));
            var cPrev = Vector256.Create<float>(cPrevs.Slice(j, 8));
            var dao = dh * tc * o * (one - o);
            var dc = Vector256.Create<float>(dcs.Slice(j, 8)) + dh * o * (one - tc * tc);
            if (peep) dc = Vector256.MultiplyAddEstimate(dao, Vector256.Create<float>(p.Slice(p.Length - H + j, 8)), dc);
            (dc * i * (one - g * g)).CopyTo(da.Slice(gOffset + j, 8));
            Vector256<float> dai, dcPrev, cNow;
            if (coupled)
            {
                dai = dc * (g - cPrev) * i * (one - i);
                dcPrev = dc * (one - i);
                cNow = Vector256.MultiplyAddEstimate(i, g - cPrev, cPrev);
            }
            else
            {
                var f = Vector256.Create<float>(act.Slice(H + j, 8));
                dai = dc * g * i * (one - i);
                var daf = dc * cPrev * f * (one - f);
                daf.CopyTo(da.Slice(H + j, 8));
                dcPrev = dc * f;
                cNow = Vector256.MultiplyAddEstimate(f, cPrev, i * g);
                if (peep)
                {
                    dcPrev = Vector256.MultiplyAddEstimate(daf, Vector256.Create<float>(p.Slice(H + j, 8)), dcPrev);
                    Vector256.MultiplyAddEstimate(daf, cPrev, Vector256.Create<float>(dp.Slice(H + j, 8))).CopyTo(dp.Slice(H + j, 8));
                }
            }
            if (peep)
            {
                dcPrev = Vector256.MultiplyAddEstimate(dai, Vector256.Create<float>(p.Slice(j, 8)), dcPrev);
                Vector256.MultiplyAddEstimate(dai, cPrev, Vector256.Create<float>(dp.Slice(j, 8))).CopyTo(dp.Slice(j, 8));
                int po = p.Length - H + j;
                Vector256.MultiplyAddEstimate(dao, cNow, Vector256.Create<float>(dp.Slice(po, 8))).CopyTo(dp.Slice(po, 8));
            }
            dai.CopyTo(da.Slice(j, 8));
            dao.CopyTo(da.Slice(oOffset + j, 8));
            dcPrev.CopyTo(dcs.Slice(j, 8));
        }
        return j;
    }

    private static void BackwardScalar(ReadOnlySpan<float> act, ReadOnlySpan<float> cPrevs, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dhs, Span<float> dcs, Span<float> da, int H, ReadOnlySpan<float> p, Span<float> dp, bool coupled, int j)
    {
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        bool peep = !p.IsEmpty;
        for (; j < H; j++)
        {
            float i = act[j], g = act[gOffset + j], o = act[oOffset + j], tc = tanhC[j], dh = dhs[j], cPrev = cPrevs[j];
            float dao = dh * tc * o * (1f - o);
            float dc = dcs[j] + dh * o * (1f - tc * tc);
            if (peep) dc += dao * p[p.Length - H + j];
            da[gOffset + j] = dc * i * (1f - g * g);
            float dai, dcPrev, cNow;
            if (coupled)
            {
                dai = dc * (g - cPrev) * i * (1f - i);
                dcPrev = dc * (1f - i);
                cNow = cPrev + i * (g - cPrev);
            }
            else
            {
                float f = act[H + j];
                dai = dc * g * i * (1f - i);
                float daf = dc * cPrev * f * (1f - f);
                da[H + j] = daf;
                dcPrev = dc * f;
                cNow = f * cPrev + i * g;
                if (peep)
                {
                    dcPrev += daf * p[H + j];
                    dp[H + j] += daf * cPrev;
                }
            }
            if (peep)
            {
                dcPrev += dai * p[j];
                dp[j] += dai * cPrev;
                dp[p.Length - H + j] += dao * cNow;
            }
            da[j] = dai;
            da[oOffset + j] = dao;
            dcs[j] = dcPrev;
        }
    }
}
