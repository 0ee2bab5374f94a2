using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models;

/// <summary>The linear-chain CRF against brute-force enumeration of every tag sequence, and finite differences.</summary>
public class LinearChainCrfTests
{
    /// <summary>score(x, y) written out directly from the definition, in double.</summary>
    private static double Score(LinearChainCrf crf, Tensor emissions, int b, int[] path)
    {
        int k = crf.Tags, steps = emissions.Size(1);
        var e = emissions.Data;
        double score = crf.StartTransitions.Data[path[0]] + crf.EndTransitions.Data[path[^1]];
        for (int t = 0; t < path.Length; t++)
        {
            score += e[(b * steps + t) * k + path[t]];
            if (t > 0) score += crf.Transitions.Data[path[t - 1] * k + path[t]];
        }
        return score;
    }

    /// <summary>Every tag sequence of the given length.</summary>
    private static IEnumerable<int[]> AllPaths(int tags, int length)
    {
        var path = new int[length];
        for (long n = 0, total = (long)Math.Pow(tags, length); n < total; n++)
        {
            long rest = n;
            for (int t = 0; t < length; t++) { path[t] = (int)(rest % tags); rest /= tags; }
            yield return (int[])path.Clone();
        }
    }

    private static double BruteLogPartition(LinearChainCrf crf, Tensor emissions, int b, int length)
    {
        var scores = AllPaths(crf.Tags, length).Select(p => Score(crf, emissions, b, p)).ToArray();
        double max = scores.Max();
        return max + Math.Log(scores.Sum(s => Math.Exp(s - max)));
    }

    private static (LinearChainCrf Crf, Tensor Emissions) Case(int seed, int tags, int batch, int steps, float scale = 1f)
    {
        var random = new RandomGenerator(seed);
        var crf = new LinearChainCrf(tags, random);
        // Larger transition scores than the initial ±0.1, so that they matter in every comparison.
        foreach (var p in crf.Parameters())
        {
            var d = p.Data;
            for (int i = 0; i < d.Length; i++) d[i] = (float)random.NextNormal() * scale;
        }
        return (crf, Tensor.RandomNormal(random, 0f, 2f, batch, steps, tags).WithGrad());
    }

    [Fact]
    public void Log_partition_and_nll_equal_brute_force_enumeration()
    {
        var (crf, emissions) = Case(1, tags: 4, batch: 3, steps: 5);
        int[] lengths = [5, 1, 3];
        var logZ = crf.LogPartition(emissions, lengths).ToArray();
        var gold = new int[3 * 5];
        var random = new RandomGenerator(2);
        for (int i = 0; i < gold.Length; i++) gold[i] = random.Next(4);
        var nll = crf.NegativeLogLikelihood(emissions, lengths, gold).ToArray();
        for (int b = 0; b < 3; b++)
        {
            double brute = BruteLogPartition(crf, emissions, b, lengths[b]);
            Assert.Equal(brute, logZ[b], 4);
            double score = Score(crf, emissions, b, gold.AsSpan(b * 5, lengths[b]).ToArray());
            Assert.Equal(brute - score, nll[b], 4);
            Assert.True(nll[b] > 0);
        }
    }

    [Fact]
    public void Gradient_of_the_log_partition_is_the_brute_force_marginals()
    {
        var (crf, emissions) = Case(3, tags: 3, batch: 2, steps: 4);
        int[] lengths = [4, 2];
        crf.LogPartition(emissions, lengths).Sum().Backward();
        var dE = emissions.Grad!.ToArray();
        var dA = crf.Transitions.Grad!.ToArray();
        var dStart = crf.StartTransitions.Grad!.ToArray();
        var dEnd = crf.EndTransitions.Grad!.ToArray();

        // ∂log Z/∂θ = E_p[count of θ in y], p(y) = exp(score(y) − log Z): summed over both sentences.
        int k = 3, steps = 4;
        var eE = new double[2 * steps * k];
        var eA = new double[k * k];
        var eStart = new double[k];
        var eEnd = new double[k];
        for (int b = 0; b < 2; b++)
        {
            double logZ = BruteLogPartition(crf, emissions, b, lengths[b]);
            foreach (var path in AllPaths(k, lengths[b]))
            {
                double p = Math.Exp(Score(crf, emissions, b, path) - logZ);
                eStart[path[0]] += p;
                eEnd[path[^1]] += p;
                for (int t = 0; t < path.Length; t++)
                {
                    eE[(b * steps + t) * k + path[t]] += p;
                    if (t > 0) eA[path[t - 1] * k + path[t]] += p;
                }
            }
        }
        for (int i = 0; i < eE.Length; i++) Assert.Equal(eE[i], dE[i], 4);   // padding rows: both zero
        for (int i = 0; i < eA.Length; i++) Assert.Equal(eA[i], dA[i], 4);
        for (int i = 0; i < k; i++)
        {
            Assert.Equal(eStart[i], dStart[i], 4);
            Assert.Equal(eEnd[i], dEnd[i], 4);
        }
    }

    [Fact]
    public void Nll_gradients_match_finite_differences()
    {
        var (crf, emissions) = Case(4, tags: 4, batch: 3, steps: 4);
        int[] lengths = [4, 2, 3];
        int[] gold = [0, 1, 2, 3, 3, 3, 0, 0, 2, 0, 1, 1];
        AssertGradientsMatch(() => crf.NegativeLogLikelihood(emissions, lengths, gold),
            [emissions, crf.Transitions, crf.StartTransitions, crf.EndTransitions], step: 1e-2f, tolerance: 3e-3);
    }

    [Fact]
    public void A_padded_batch_gives_the_same_nll_and_gradients_as_one_sentence_at_a_time()
    {
        var (crf, emissions) = Case(5, tags: 5, batch: 3, steps: 6);
        int[] lengths = [6, 2, 4];
        var random = new RandomGenerator(6);
        var gold = Enumerable.Range(0, 18).Select(_ => random.Next(5)).ToArray();
        var batched = crf.NegativeLogLikelihood(emissions, lengths, gold);
        batched.Sum().Backward();
        var batchedGrad = emissions.Grad!.ToArray();
        var batchedA = crf.Transitions.Grad!.ToArray();

        var sumA = new float[25];
        for (int b = 0; b < 3; b++)
        {
            var alone = emissions.Detach().Select(0, b).Slice(0, 0, lengths[b]).Reshape(1, lengths[b], 5);
            var one = Tensor.FromArray(alone.ToArray(), 1, lengths[b], 5).WithGrad();
            crf.ZeroGrad();
            var nll = crf.NegativeLogLikelihood(one, [lengths[b]], gold.AsSpan(b * 6, lengths[b]));
            Assert.Equal(batched.Data[b], nll.Item(), 5);
            nll.Sum().Backward();
            var g = one.Grad!.ToArray();
            for (int i = 0; i < g.Length; i++) Assert.Equal(batchedGrad[b * 30 + i], g[i], 5);
            for (int i = lengths[b] * 5; i < 30; i++) Assert.Equal(0f, batchedGrad[b * 30 + i]);
            var gA = crf.Transitions.Grad!.Data;
            for (int i = 0; i < 25; i++) sumA[i] += gA[i];
        }
        for (int i = 0; i < 25; i++) Assert.Equal(batchedA[i], sumA[i], 4);
    }

    [Fact]
    public void Viterbi_finds_the_brute_force_argmax()
    {
        for (int seed = 10; seed < 20; seed++)
        {
            var (crf, emissions) = Case(seed, tags: 4, batch: 3, steps: 5, scale: 2f);
            int[] lengths = [5, 1, 4];
            var decoded = crf.Decode(emissions, lengths);
            for (int b = 0; b < 3; b++)
            {
                var best = AllPaths(4, lengths[b]).MaxBy(p => Score(crf, emissions, b, p))!;
                Assert.Equal(best, decoded[b]);
            }
        }
    }

    [Fact]
    public void Bio_constrained_decoding_never_emits_an_illegal_transition_and_is_the_best_legal_path()
    {
        string?[] names = [null, null, "O", "B-a", "I-a", "B-b", "I-b"];
        var constraints = TagConstraints.Bio(names);
        Assert.False(constraints.Permits([4]));          // I-a first
        Assert.False(constraints.Permits([2, 4]));       // O, I-a
        Assert.False(constraints.Permits([3, 6]));       // B-a, I-b
        Assert.True(constraints.Permits([3, 4, 4, 2, 5, 6]));
        Assert.False(constraints.Permits([2, 0]));       // <pad> is never predicted

        int illegalUnconstrained = 0;
        for (int seed = 30; seed < 50; seed++)
        {
            var (crf, emissions) = Case(seed, tags: 7, batch: 2, steps: 5, scale: 2f);
            // Push the I- tags up, so that an unconstrained decoder often starts with one or follows O with one.
            var e = emissions.Data;
            for (int i = 0; i < e.Length; i += 7) { e[i + 4] += 2f; e[i + 6] += 2f; }
            int[] lengths = [5, 3];
            var constrained = crf.Decode(emissions, lengths, constraints);
            var free = crf.Decode(emissions, lengths);
            for (int b = 0; b < 2; b++)
            {
                Assert.True(constraints.Permits(constrained[b]), $"seed {seed}: illegal path {string.Join(',', constrained[b])}");
                if (!constraints.Permits(free[b])) illegalUnconstrained++;
                var best = AllPaths(7, lengths[b]).Where(constraints.Permits).MaxBy(p => Score(crf, emissions, b, p))!;
                Assert.Equal(best, constrained[b]);
            }
        }
        Assert.True(illegalUnconstrained > 0, "the test cases never tempted the unconstrained decoder");
    }

    [Fact]
    public void Bad_shapes_lengths_and_tags_are_named()
    {
        var (crf, emissions) = Case(7, tags: 3, batch: 2, steps: 3);
        Assert.Contains("length 0", Assert.Throws<TensorShapeException>(() => crf.LogPartition(emissions, [3, 0])).Message);
        Assert.Contains("2 lengths", Assert.Throws<TensorShapeException>(() => crf.Decode(emissions.Detach().Slice(0, 0, 1), [3, 3])).Message);
        Assert.Contains("gold tag 3", Assert.Throws<TensorShapeException>(() => crf.NegativeLogLikelihood(emissions, [3, 2], [0, 1, 2, 3, 0, 0])).Message);
        Assert.Contains("(batch, time, 3)", Assert.Throws<TensorShapeException>(() => crf.LogPartition(Tensor.Zeros(2, 3, 4), [3, 3])).Message);
    }
}
