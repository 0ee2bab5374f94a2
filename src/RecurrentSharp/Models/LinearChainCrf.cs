using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// A linear-chain conditional random field over tag sequences (Lafferty, McCallum &amp; Pereira 2001), the
/// output layer of a sequence tagger: the network gives emission scores e_t(j) for every word t and tag j,
/// the layer adds a learned transition score A(i, j) for tag i followed by tag j, and start/end scores.
/// </summary>
/// <remarks>
/// <code>
/// score(x, y) = s(y_0) + Σ_{t=0}^{L-1} e_t(y_t) + Σ_{t=1}^{L-1} A(y_{t-1}, y_t) + n(y_{L-1})
/// p(y | x)    = exp(score(x, y)) / Z(x),        Z(x) = Σ_{all y'} exp(score(x, y'))
/// NLL         = log Z(x) − score(x, y)
/// </code>
/// log Z comes from the forward algorithm in log space, its gradient from the backward algorithm (the tag
/// marginals); the best sequence from Viterbi. Emissions are batch-first (B, T, Tags) with per-sentence
/// lengths; steps at or past a sentence's length are padding and get no gradient. The negative
/// log-likelihood is one autograd node over the emissions and the three parameters.
/// State-dict names follow pytorch-crf: <c>transitions</c>, <c>start_transitions</c>, <c>end_transitions</c>.
/// </remarks>
public sealed class LinearChainCrf : Module
{
    /// <summary>A CRF over <paramref name="tags"/> tags; every score starts uniform in [-0.1, 0.1] (as pytorch-crf).</summary>
    public LinearChainCrf(int tags, RandomGenerator? random = null)
    {
        if (tags < 1) throw new ArgumentOutOfRangeException(nameof(tags), "a CRF needs at least one tag");
        random ??= RandomGenerator.Default;
        Tags = tags;
        Transitions = RegisterParameter("transitions", Tensor.RandomUniform(random, -0.1f, 0.1f, tags, tags).WithGrad());
        StartTransitions = RegisterParameter("start_transitions", Tensor.RandomUniform(random, -0.1f, 0.1f, tags).WithGrad());
        EndTransitions = RegisterParameter("end_transitions", Tensor.RandomUniform(random, -0.1f, 0.1f, tags).WithGrad());
    }

    /// <summary>The number of tags.</summary>
    public int Tags { get; }

    /// <summary>A(i, j): the score of tag i followed by tag j, (Tags, Tags).</summary>
    public Tensor Transitions { get; }

    /// <summary>s(j): the score of starting a sentence with tag j, (Tags).</summary>
    public Tensor StartTransitions { get; }

    /// <summary>n(j): the score of ending a sentence with tag j, (Tags).</summary>
    public Tensor EndTransitions { get; }

    /// <summary>
    /// −log p(y | x) of each sentence, (B): <paramref name="emissions"/> (B, T, Tags) batch-first,
    /// <paramref name="lengths"/> (each 1..T), <paramref name="tags"/> the gold tags laid out like the
    /// emissions' (B, T) positions (values past a sentence's length are ignored).
    /// </summary>
    public Tensor NegativeLogLikelihood(Tensor emissions, ReadOnlySpan<int> lengths, ReadOnlySpan<int> tags)
    {
        Validate(emissions, lengths, "NegativeLogLikelihood");
        int batch = lengths.Length, steps = emissions.Size(1);
        if (tags.Length != batch * steps)
            throw new TensorShapeException("LinearChainCrf.NegativeLogLikelihood", $"{tags.Length} gold tags for emissions {TensorShape.Format(emissions.Shape)}; expected {batch * steps} (B·T)");
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++)
                if ((uint)tags[b * steps + t] >= (uint)Tags)
                    throw new TensorShapeException("LinearChainCrf.NegativeLogLikelihood", $"gold tag {tags[b * steps + t]} at sentence {b}, step {t} is outside 0..{Tags - 1}");
        return Record(emissions, lengths.ToArray(), tags.ToArray());
    }

    /// <summary>log Z(x) of each sentence, (B): the log of the summed exp-score of every tag sequence (differentiable).</summary>
    public Tensor LogPartition(Tensor emissions, ReadOnlySpan<int> lengths)
    {
        Validate(emissions, lengths, "LogPartition");
        return Record(emissions, lengths.ToArray(), null);
    }

    /// <summary>
    /// The highest-scoring tag sequence of each sentence (Viterbi), of its own length. With
    /// <paramref name="constraints"/>, only sequences whose every start, transition and end is allowed are considered.
    /// Not recorded on the tape.
    /// </summary>
    public int[][] Decode(Tensor emissions, ReadOnlySpan<int> lengths, TagConstraints? constraints = null)
    {
        Validate(emissions, lengths, "Decode");
        if (constraints is not null && constraints.Tags != Tags)
            throw new TensorShapeException("LinearChainCrf.Decode", $"constraints over {constraints.Tags} tags for a CRF over {Tags}");
        int k = Tags, batch = lengths.Length, steps = emissions.Size(1);
        ReadOnlySpan<float> e = emissions.Data;
        // Disallowed moves score −∞, so no path through them can win.
        var a = Transitions.ToArray();
        var start = StartTransitions.ToArray();
        var end = EndTransitions.ToArray();
        if (constraints is not null)
            for (int i = 0; i < k; i++)
            {
                if (!constraints.AllowedStart[i]) start[i] = float.NegativeInfinity;
                if (!constraints.AllowedEnd[i]) end[i] = float.NegativeInfinity;
                for (int j = 0; j < k; j++)
                    if (!constraints.Allowed[i * k + j]) a[i * k + j] = float.NegativeInfinity;
            }
        var delta = new float[k];
        var next = new float[k];
        var scratch = new float[k];
        var backPointers = new int[steps * k];
        var paths = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b];
            int row = b * steps;
            // δ_0(j) = s(j) + e_0(j)
            TensorPrimitives.Add(start, e.Slice(row * k, k), delta);
            for (int t = 1; t < length; t++)
            {
                // δ_t(j) = e_t(j) + max_i [δ_{t-1}(i) + A(i, j)],  ψ_t(j) = the argmax i (the first on ties).
                // Row by row of A, all j at once: a running max and argmax over i, in SIMD lanes over j.
                var psi = backPointers.AsSpan(t * k, k);
                next.AsSpan().Fill(float.NegativeInfinity);
                psi.Clear();
                for (int i = 0; i < k; i++)
                    MaxInto(delta[i], a.AsSpan(i * k, k), i, next, psi);
                TensorPrimitives.Add(next, e.Slice((row + t) * k, k), next);
                (delta, next) = (next, delta);
            }
            // y_{L-1} = argmax_j [δ_{L-1}(j) + n(j)], then y_{t-1} = ψ_t(y_t)
            TensorPrimitives.Add(delta, end, scratch);
            int last = TensorPrimitives.IndexOfMax(scratch);
            if (float.IsNegativeInfinity(scratch[last]) || float.IsNaN(scratch[last]))
                throw new TensorShapeException("LinearChainCrf.Decode", $"sentence {b} (length {length}) has no tag sequence that the constraints allow");
            var path = new int[length];
            path[length - 1] = last;
            for (int t = length - 1; t > 0; t--)
                path[t - 1] = backPointers[t * k + path[t]];
            paths[b] = path;
        }
        return paths;
    }

    /// <summary>best[j], arg[j] = (from + row[j], i) wherever that is larger than best[j].</summary>
    private static void MaxInto(float from, ReadOnlySpan<float> row, int i, Span<float> best, Span<int> arg)
    {
        if (float.IsNegativeInfinity(from)) return;
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vFrom = new Vector<float>(from);
            var vI = new Vector<int>(i);
            for (; j <= row.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                var candidate = vFrom + new Vector<float>(row.Slice(j));
                var current = new Vector<float>(best.Slice(j));
                var larger = Vector.GreaterThan(candidate, current);
                Vector.ConditionalSelect(larger, candidate, current).CopyTo(best.Slice(j));
                Vector.ConditionalSelect(larger, vI, new Vector<int>(arg.Slice(j))).CopyTo(arg.Slice(j));
            }
        }
        for (; j < row.Length; j++)
        {
            float candidate = from + row[j];
            if (candidate > best[j]) { best[j] = candidate; arg[j] = i; }
        }
    }

    private void Validate(Tensor emissions, ReadOnlySpan<int> lengths, string operation)
    {
        if (emissions.Rank != 3 || emissions.Size(2) != Tags)
            throw new TensorShapeException($"LinearChainCrf.{operation}", $"emissions {TensorShape.Format(emissions.Shape)} are not (batch, time, {Tags})");
        if (lengths.Length != emissions.Size(0))
            throw new TensorShapeException($"LinearChainCrf.{operation}", $"{lengths.Length} lengths for a batch of {emissions.Size(0)}");
        for (int b = 0; b < lengths.Length; b++)
            if (lengths[b] < 1 || lengths[b] > emissions.Size(1))
                throw new TensorShapeException($"LinearChainCrf.{operation}", $"length {lengths[b]} of sentence {b} is outside 1..{emissions.Size(1)}");
    }

    /// <summary>log Z − score(gold) per sentence (or log Z alone when <paramref name="gold"/> is null), recorded as one node.</summary>
    private Tensor Record(Tensor emissions, int[] lengths, int[]? gold)
    {
        int k = Tags, batch = lengths.Length, steps = emissions.Size(1);
        var e = emissions.ToArray();
        var a = Transitions.ToArray();
        var start = StartTransitions.ToArray();
        var end = EndTransitions.ToArray();
        var aT = new float[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                aT[j * k + i] = a[i * k + j];

        // Forward algorithm, kept for the backward side (padding rows stay unused):
        //   α_0(j) = s(j) + e_0(j)
        //   α_t(j) = e_t(j) + log Σ_i exp(α_{t-1}(i) + A(i, j))
        //   log Z  = log Σ_j exp(α_{L-1}(j) + n(j))
        var alpha = new float[batch * steps * k];
        var logZ = new float[batch];
        var scratch = new float[k];
        var result = new Tensor([batch], clear: false);
        var output = result.Data;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths[b], row = b * steps;
            TensorPrimitives.Add(start, e.AsSpan(row * k, k), alpha.AsSpan(row * k, k));
            for (int t = 1; t < length; t++)
            {
                var previous = alpha.AsSpan((row + t - 1) * k, k);
                var current = alpha.AsSpan((row + t) * k, k);
                for (int j = 0; j < k; j++)
                {
                    TensorPrimitives.Add(previous, aT.AsSpan(j * k, k), scratch);
                    current[j] = e[(row + t) * k + j] + LogSumExp(scratch);
                }
            }
            TensorPrimitives.Add(alpha.AsSpan((row + length - 1) * k, k), end, scratch);
            logZ[b] = LogSumExp(scratch);
            output[b] = logZ[b] - (gold is null ? 0f : GoldScore(e, a, start, end, gold, row, length));
        }

        return GradNode.Record("crf_nll", result, [emissions, Transitions, StartTransitions, EndTransitions], g =>
        {
            var gd = g.Data;
            var dE = new Tensor(emissions.GetShape());
            var dA = new Tensor([k, k]);
            var dStart = new Tensor([k]);
            var dEnd = new Tensor([k]);
            Span<float> de = dE.Data, da = dA.Data, ds = dStart.Data, dn = dEnd.Data;
            var beta = new float[steps * k];
            var weights = new float[k];
            var pairs = new float[k];
            for (int b = 0; b < batch; b++)
            {
                float gb = gd[b];
                if (gb == 0f) continue;
                int length = lengths[b], row = b * steps;
                // Backward algorithm:
                //   β_{L-1}(i) = n(i)
                //   β_t(i)     = log Σ_j exp(A(i, j) + e_{t+1}(j) + β_{t+1}(j))
                end.CopyTo(beta.AsSpan((length - 1) * k, k));
                for (int t = length - 2; t >= 0; t--)
                {
                    TensorPrimitives.Add(e.AsSpan((row + t + 1) * k, k), beta.AsSpan((t + 1) * k, k), weights);
                    var current = beta.AsSpan(t * k, k);
                    for (int i = 0; i < k; i++)
                    {
                        TensorPrimitives.Add(a.AsSpan(i * k, k), weights, scratch);
                        current[i] = LogSumExp(scratch);
                    }
                }
                // Marginals p_t(j) = exp(α_t(j) + β_t(j) − log Z) = ∂log Z/∂e_t(j);
                //   ∂log Z/∂s(j) = p_0(j),  ∂log Z/∂n(j) = p_{L-1}(j).
                for (int t = 0; t < length; t++)
                {
                    var p = scratch.AsSpan();
                    TensorPrimitives.Add(alpha.AsSpan((row + t) * k, k), beta.AsSpan(t * k, k), p);
                    TensorPrimitives.Add(p, -logZ[b], p);
                    TensorPrimitives.Exp(p, p);
                    var deRow = de.Slice((row + t) * k, k);
                    TensorPrimitives.MultiplyAdd(p, gb, deRow, deRow);
                    if (t == 0) TensorPrimitives.MultiplyAdd(p, gb, ds, ds);
                    if (t == length - 1) TensorPrimitives.MultiplyAdd(p, gb, dn, dn);
                }
                // Pair marginals ξ_t(i, j) = exp(α_{t-1}(i) + A(i, j) + e_t(j) + β_t(j) − log Z) = the share of
                // ∂log Z/∂A(i, j) from step t.
                for (int t = 1; t < length; t++)
                {
                    TensorPrimitives.Add(e.AsSpan((row + t) * k, k), beta.AsSpan(t * k, k), weights);
                    for (int i = 0; i < k; i++)
                    {
                        float shift = alpha[(row + t - 1) * k + i] - logZ[b];
                        TensorPrimitives.Add(a.AsSpan(i * k, k), weights, pairs);
                        TensorPrimitives.Add(pairs, shift, pairs);
                        TensorPrimitives.Exp(pairs, pairs);
                        var daRow = da.Slice(i * k, k);
                        TensorPrimitives.MultiplyAdd(pairs, gb, daRow, daRow);
                    }
                }
                if (gold is null) continue;
                // −∂score/∂θ: one count for every emission, transition, start and end the gold path uses.
                int previous = -1;
                for (int t = 0; t < length; t++)
                {
                    int y = gold[row + t];
                    de[(row + t) * k + y] -= gb;
                    if (previous >= 0) da[previous * k + y] -= gb;
                    previous = y;
                }
                ds[gold[row]] -= gb;
                dn[gold[row + length - 1]] -= gb;
            }
            return [dE, dA, dStart, dEnd];
        });
    }

    /// <summary>score(x, y) of the gold path of one sentence.</summary>
    private static float GoldScore(float[] e, float[] a, float[] start, float[] end, int[] gold, int row, int length)
    {
        int k = start.Length;
        float score = start[gold[row]] + end[gold[row + length - 1]];
        for (int t = 0; t < length; t++)
        {
            score += e[(row + t) * k + gold[row + t]];
            if (t > 0) score += a[gold[row + t - 1] * k + gold[row + t]];
        }
        return score;
    }

    /// <summary>log Σ exp(x), stable (max subtracted first); overwrites <paramref name="x"/>.</summary>
    private static float LogSumExp(Span<float> x)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        return max + MathF.Log(TensorPrimitives.Sum(x));
    }
}
