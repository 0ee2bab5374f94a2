using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

public static partial class Losses
{
    /// <summary>
    /// Connectionist temporal classification (Graves et al. 2006) with PyTorch's <c>F.ctc_loss</c> semantics:
    /// minus the log-probability of the label sequence summed over every frame-wise alignment, computed in log
    /// space (in float32, as PyTorch's CPU kernel for float inputs) with the forward (α) recursion; the backward (β) recursion gives the gradient.
    /// </summary>
    /// <remarks>
    /// <para>For element n, y_t(k) = logProbs[t, n, k] for t &lt; T_n (later steps are ignored), labels l_1..l_S,
    /// and the extended sequence l' = (blank, l_1, blank, l_2, …, l_S, blank) of 2S+1 states:</para>
    /// <code>
    /// α_0(0) = y_0(blank),  α_0(1) = y_0(l_1),  other α_0 = −∞
    /// α_t(s) = y_t(l'_s) + logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) [only if l'_s ≠ blank and l'_s ≠ l'_{s−2}])
    /// loss_n = −logsumexp(α_{T_n−1}(2S), α_{T_n−1}(2S−1))             (only the first term when S = 0)
    /// β_{T_n−1}(2S) = y(blank),  β_{T_n−1}(2S−1) = y(l_S),  other β = −∞
    /// β_t(s) = y_t(l'_s) + logsumexp(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2) [only if l'_s ≠ blank and l'_s ≠ l'_{s+2}])
    /// ∂loss_n/∂y_t(k) = −γ_t(k),  γ_t(k) = Σ_{s : l'_s = k} exp(α_t(s) + β_t(s) − y_t(k) + loss_n)   (Σ_k γ_t(k) = 1)
    /// </code>
    /// <para>An infeasible target (T_n shorter than S plus its adjacent repeats) has loss +∞ and a NaN gradient,
    /// as in PyTorch; <paramref name="zeroInfinity"/> turns that loss into 0 and its gradient into exactly 0.
    /// Reductions: None gives the (N) losses; Sum Σ_n loss_n; Mean (1/N)·Σ_n loss_n / max(1, S_n) (each loss
    /// divided by its own target length, zeroed elements still counted in N).</para>
    /// <para>The gradient is the exact partial derivative with respect to the log-probabilities (−w_n·γ). PyTorch's
    /// CTC backward returns that plus w_n·exp(y), a term that log_softmax's backward cancels, so the gradient
    /// with respect to logits (through <see cref="Tensor.LogSoftmax"/>) is the same as PyTorch's.</para>
    /// </remarks>
    /// <param name="logProbs">Log-probabilities, (T, N, C) time first, as PyTorch (e.g. <c>logits.LogSoftmax(-1)</c>).</param>
    /// <param name="targets">The label sequences, padded or concatenated; labels in 0..C−1 and never the blank.</param>
    /// <param name="inputLengths">T_n for every element, 0..T.</param>
    /// <param name="blank">The blank class index.</param>
    /// <param name="reduction">None, Sum or Mean (PyTorch's default).</param>
    /// <param name="zeroInfinity">Replace infinite losses (and their gradients) by 0.</param>
    public static Tensor CtcLoss(Tensor logProbs, CtcTargets targets, ReadOnlySpan<int> inputLengths, int blank = 0,
        Reduction reduction = Reduction.Mean, bool zeroInfinity = false)
    {
        if (logProbs.Rank != 3) throw new TensorShapeException("CtcLoss", $"log-probabilities {TensorShape.Format(logProbs.Shape)} must be (T, N, C)");
        int T = logProbs.Size(0), N = logProbs.Size(1), C = logProbs.Size(2);
        if (C == 0) throw new TensorShapeException("CtcLoss", $"log-probabilities {TensorShape.Format(logProbs.Shape)} have no classes");
        if (targets.Count != N) throw new TensorShapeException("CtcLoss", $"{targets.Count} target sequences for a batch of {N}");
        if (inputLengths.Length != N) throw new TensorShapeException("CtcLoss", $"{inputLengths.Length} input lengths for a batch of {N}");
        if ((uint)blank >= (uint)C) throw new ArgumentOutOfRangeException(nameof(blank), blank, $"blank must be in 0..{C - 1}");

        // Per element: its extended sequence l' (2S+1 states) and where its α and β live: T_n·(2S+1) values.
        var lengthsIn = inputLengths.ToArray();
        var extended = new int[N][];
        var offsets = new long[N + 1];
        for (int n = 0; n < N; n++)
        {
            if (lengthsIn[n] < 0 || lengthsIn[n] > T)
                throw new ArgumentOutOfRangeException(nameof(inputLengths), lengthsIn[n], $"input length of element {n} is outside 0..{T}");
            var labels = targets.Sequence(n);
            var ext = new int[2 * labels.Length + 1];
            for (int s = 0; s < ext.Length; s++) ext[s] = blank;
            for (int i = 0; i < labels.Length; i++)
            {
                if ((uint)labels[i] >= (uint)C || labels[i] == blank)
                    throw new ArgumentOutOfRangeException(nameof(targets), labels[i],
                        $"label {labels[i]} at position {i} of target {n} is not a class in 0..{C - 1} other than the blank {blank}");
                ext[2 * i + 1] = labels[i];
            }
            extended[n] = ext;
            offsets[n + 1] = offsets[n] + (long)lengthsIn[n] * ext.Length;
        }
        if (offsets[N] > Array.MaxLength) throw new TensorShapeException("CtcLoss", $"the alignment lattice of {offsets[N]} states is too large");

        // ---- forward: α for every element, loss_n = −log p(l | x); the elements are independent (one part each on the kernel threads)
        var alpha = new float[offsets[N]];
        var loss = new double[N];
        KernelThreads.For(N, n =>
            loss[n] = CtcForward(logProbs.Data, n, N, C, lengthsIn[n], extended[n], alpha.AsSpan((int)offsets[n], (int)(offsets[n + 1] - offsets[n]))));

        // weights of the elements in L (1 for None: the upstream gradient multiplies them in the backward pass)
        var weight = new double[N];
        double total = 0;
        for (int n = 0; n < N; n++)
        {
            bool zeroed = zeroInfinity && double.IsPositiveInfinity(loss[n]);
            if (zeroed) loss[n] = 0;
            double w = zeroed ? 0 : reduction == Reduction.Mean ? 1.0 / (N * Math.Max(1, targets.Lengths[n])) : 1.0;
            weight[n] = w;
            total += reduction == Reduction.Mean ? loss[n] / Math.Max(1, targets.Lengths[n]) : loss[n];
        }

        Tensor result;
        if (reduction == Reduction.None)
        {
            result = Tensor.Zeros(N);
            for (int n = 0; n < N; n++) result.Data[n] = (float)loss[n];
        }
        else
        {
            result = Tensor.Scalar((float)(reduction == Reduction.Mean ? total / N : total));
        }

        return GradNode.Record("ctc_loss", result, [logProbs], g =>
        {
            var grad = Tensor.Zeros(T, N, C);
            var beta = new float[offsets[N]];
            // each element writes only its own rows grad[t, n, :], so the elements run in parallel
            KernelThreads.For(N, n =>
            {
                double w = weight[n] * (reduction == Reduction.None ? g.Data[n] : g.Data[0]);
                if (weight[n] == 0 || w == 0) return; // zeroed by zero_infinity (exactly 0, not 0·NaN)
                var a = alpha.AsSpan((int)offsets[n], (int)(offsets[n + 1] - offsets[n]));
                var b = beta.AsSpan((int)offsets[n], a.Length);
                CtcBackward(logProbs.Data, n, N, C, lengthsIn[n], extended[n], b);
                CtcGradient(logProbs.Data, grad.Data, n, N, C, lengthsIn[n], extended[n], a, b, loss[n], w);
            });
            return [grad];
        });
    }

    /// <summary>
    /// The α recursion of one element over its lattice <paramref name="alpha"/> ((T_n, 2S+1) row-major); returns
    /// loss_n = −logsumexp(α_{T_n−1}(2S), α_{T_n−1}(2S−1)) (+∞ when no alignment fits in T_n steps).
    /// </summary>
    private static double CtcForward(ReadOnlySpan<float> y, int n, int N, int C, int frames, int[] ext, Span<float> alpha)
    {
        int states = ext.Length;                       // 2S + 1
        if (frames == 0) return states == 1 ? 0 : double.PositiveInfinity;
        alpha.Fill(float.NegativeInfinity);
        // α_0(0) = y_0(blank), α_0(1) = y_0(l_1)
        var y0 = y.Slice(n * C, C);
        alpha[0] = y0[ext[0]];
        if (states > 1) alpha[1] = y0[ext[1]];
        for (int t = 1; t < frames; t++)
        {
            var yt = y.Slice((t * N + n) * C, C);
            var prev = alpha.Slice((t - 1) * states, states);
            var cur = alpha.Slice(t * states, states);
            // a path at state s at step t came from s (stay), s−1 (advance) or s−2 (skip a blank between different labels).
            // States above 2t+1 cannot be reached yet and those below 2S+1 − 2(T_n − t) cannot reach the end in time:
            // they stay −∞ (as filled), and only the band between them is computed.
            int first = Math.Max(0, states - 2 * (frames - t)), stop = Math.Min(states, 2 * t + 2);
            for (int s = first; s < stop; s++)
            {
                float a0 = prev[s];
                float a1 = s >= 1 ? prev[s - 1] : float.NegativeInfinity;
                float a2 = s >= 2 && ext[s] != ext[0] && ext[s] != ext[s - 2] ? prev[s - 2] : float.NegativeInfinity;
                cur[s] = LogSumExp3(a0, a1, a2) + yt[ext[s]];   // α_t(s) = y_t(l'_s) + lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2))
            }
        }
        var last = alpha.Slice((frames - 1) * states, states);
        double logLikelihood = states > 1 ? LogSumExp3(last[states - 1], last[states - 2], float.NegativeInfinity) : last[0];
        return -logLikelihood;
    }

    /// <summary>The β recursion (the mirror image of α, also including y_t(l'_s)) of one element.</summary>
    private static void CtcBackward(ReadOnlySpan<float> y, int n, int N, int C, int frames, int[] ext, Span<float> beta)
    {
        int states = ext.Length;
        if (frames == 0) return;
        beta.Fill(float.NegativeInfinity);
        // β_{T_n−1}(2S) = y(blank), β_{T_n−1}(2S−1) = y(l_S)
        var yLast = y.Slice(((frames - 1) * N + n) * C, C);
        var end = beta.Slice((frames - 1) * states, states);
        end[states - 1] = yLast[ext[states - 1]];
        if (states > 1) end[states - 2] = yLast[ext[states - 2]];
        for (int t = frames - 2; t >= 0; t--)
        {
            var yt = y.Slice((t * N + n) * C, C);
            var next = beta.Slice((t + 1) * states, states);
            var cur = beta.Slice(t * states, states);
            // the mirror band: s ≥ 2S+1 − 2(T_n − t) still reaches the end, s ≤ 2t+1 was reachable from the start
            int first = Math.Max(0, states - 2 * (frames - t)), stop = Math.Min(states, 2 * t + 2);
            for (int s = first; s < stop; s++)
            {
                float b0 = next[s];
                float b1 = s + 1 < states ? next[s + 1] : float.NegativeInfinity;
                float b2 = s + 2 < states && ext[s] != ext[0] && ext[s] != ext[s + 2] ? next[s + 2] : float.NegativeInfinity;
                cur[s] = LogSumExp3(b0, b1, b2) + yt[ext[s]];   // β_t(s) = y_t(l'_s) + lse(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2))
            }
        }
    }

    /// <summary>d L / d y_t(k) = −w·γ_t(k) for t &lt; T_n, added into <paramref name="grad"/> ((T, N, C)).</summary>
    private static void CtcGradient(ReadOnlySpan<float> y, Span<float> grad, int n, int N, int C, int frames, int[] ext,
        ReadOnlySpan<float> alpha, ReadOnlySpan<float> beta, double loss, double w)
    {
        int states = ext.Length;
        for (int t = 0; t < frames; t++)
        {
            var yt = y.Slice((t * N + n) * C, C);
            var gt = grad.Slice((t * N + n) * C, C);
            var a = alpha.Slice(t * states, states);
            var b = beta.Slice(t * states, states);
            // γ_t(k) = Σ_{s : l'_s = k} exp(α_t(s) + β_t(s) − y_t(k) + loss_n): each state adds its posterior to its class
            // (outside the band α or β is −∞ and the posterior 0, unless the loss is +∞: then every term is NaN, as PyTorch's)
            for (int s = 0; s < states; s++)
            {
                int k = ext[s];
                double posterior = Math.Exp((double)a[s] + b[s] - yt[k] + loss);
                gt[k] -= (float)(w * posterior);
            }
        }
    }

    /// <summary>log(e^a + e^b + e^c) = m + log(1 + e^(x − m) + e^(y − m)) with m the largest; exact for −∞ arguments (their exp is skipped).</summary>
    private static float LogSumExp3(float a, float b, float c)
    {
        float m, x, y;
        if (a >= b && a >= c) { m = a; x = b; y = c; }
        else if (b >= c) { m = b; x = a; y = c; }
        else { m = c; x = a; y = b; }
        if (float.IsNegativeInfinity(m) || float.IsNaN(m)) return m;
        float sum = 1;
        if (!float.IsNegativeInfinity(x)) sum += MathF.Exp(x - m);
        if (!float.IsNegativeInfinity(y)) sum += MathF.Exp(y - m);
        return m + MathF.Log(sum);
    }
}
