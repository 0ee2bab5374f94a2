using RecurrentSharp.Tensors;
using RecurrentSharp.Tests.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>CTC against its definition (a sum over all alignments), central finite differences and the infeasible cases.</summary>
public class CtcLossTests
{
    private static Tensor RandomLogProbs(RandomGenerator random, int T, int N, int C) =>
        Tensor.RandomNormal(random, 0f, 1.5f, T, N, C).LogSoftmax(2);

    [Theory]
    [InlineData(5, 3, new[] { 1, 2 }, 0)]
    [InlineData(6, 3, new[] { 1, 1 }, 0)]      // a repeat needs a blank between
    [InlineData(4, 4, new[] { 2 }, 3)]        // blank last
    [InlineData(5, 3, new int[0], 0)]         // empty target
    [InlineData(6, 4, new[] { 1, 2, 1 }, 0)]
    public void Loss_is_minus_the_log_of_the_probability_summed_over_all_alignments(int T, int C, int[] labels, int blank)
    {
        var random = new RandomGenerator(11);
        var logProbs = RandomLogProbs(random, T, 1, C);
        var loss = Losses.CtcLoss(logProbs, CtcTargets.FromSequences([labels]), [T], blank, Reduction.Sum);
        var all = CtcBruteForce.LabellingProbabilities(logProbs.ToArray(), T, C, blank);
        double expected = -Math.Log(all.GetValueOrDefault(CtcBruteForce.Key(labels)));
        Assert.True(Math.Abs(loss.Item() - expected) <= 1e-5 * Math.Max(1, expected), $"loss {loss.Item()}, brute force {expected}");
        // and the probabilities of all labellings add up to 1 (the enumeration is complete)
        Assert.Equal(1.0, all.Values.Sum(), 1e-5);
    }

    [Fact]
    public void Gradient_is_minus_the_posterior_of_each_class_by_brute_force()
    {
        // dloss/dy_t(k) = −Σ_{paths π → l, π_t = k} p(π) / p(l): enumerate it directly.
        const int T = 4, C = 3;
        int[] labels = [1, 2];
        var random = new RandomGenerator(5);
        var y = RandomLogProbs(random, T, 1, C).Detach().WithGrad();
        Losses.CtcLoss(y, CtcTargets.FromSequences([labels]), [T], 0, Reduction.Sum).Backward();
        var values = y.ToArray();
        var expected = new double[T * C];
        double total = 0;
        var path = new int[T];
        for (int code = 0; code < (int)Math.Pow(C, T); code++)
        {
            int rest = code;
            double logP = 0;
            for (int t = 0; t < T; t++) { path[t] = rest % C; rest /= C; logP += values[t * C + path[t]]; }
            if (CtcBruteForce.Key(path, 0) != CtcBruteForce.Key(labels)) continue;
            total += Math.Exp(logP);
            for (int t = 0; t < T; t++) expected[t * C + path[t]] += Math.Exp(logP);
        }
        var actual = y.Grad!.ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] + expected[i] / total) <= 1e-5, $"element {i}: {actual[i]}, brute force {-expected[i] / total}");
    }

    [Theory]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void Gradient_matches_central_finite_differences(Reduction reduction)
    {
        var random = new RandomGenerator(3);
        // free (unnormalized) log-probabilities: CTC's sum over alignments is defined for any scores
        var y = GradientCheckHarness.Input(random, 7, 3, 5);
        var targets = CtcTargets.Padded([1, 2, 2, 0, 3, 4, 1, 1, 4, 0, 0, 0], 4, [3, 4, 0]);
        int[] inputLengths = [7, 6, 4];
        GradientCheckHarness.AssertGradientsMatch(() =>
        {
            var loss = Losses.CtcLoss(y, targets, inputLengths, 0, reduction);
            return reduction == Reduction.None ? (loss * Tensor.FromArray([0.5f, -1.25f, 2f], 3)).Sum() : loss;
        }, [y], step: 1e-2f, tolerance: 2e-3);
    }

    [Fact]
    public void Gradient_through_log_softmax_matches_central_finite_differences()
    {
        var random = new RandomGenerator(9);
        var logits = GradientCheckHarness.Input(random, 6, 2, 4);
        var targets = CtcTargets.Concatenated([1, 3, 3, 2], [3, 1]);
        GradientCheckHarness.AssertGradientsMatch(() => Losses.CtcLoss(logits.LogSoftmax(2), targets, [6, 5], 0, Reduction.Mean), [logits]);
    }

    [Fact]
    public void Infeasible_alignment_is_infinite_and_zero_with_zero_infinity()
    {
        var random = new RandomGenerator(4);
        var y = RandomLogProbs(random, 3, 2, 4).Detach();
        // element 0: 'aa' needs 3 steps and has 2; element 1: 'ab' in 3 steps is feasible
        var targets = CtcTargets.Padded([1, 1, 1, 2], 2, [2, 2]);
        int[] lengths = [2, 3];

        var inf = Losses.CtcLoss(y, targets, lengths, 0, Reduction.None).ToArray();
        Assert.True(float.IsPositiveInfinity(inf[0]), $"infeasible loss {inf[0]}");
        Assert.True(float.IsFinite(inf[1]));
        Assert.True(float.IsPositiveInfinity(Losses.CtcLoss(y, targets, lengths, 0, Reduction.Sum).Item()));
        Assert.True(float.IsPositiveInfinity(Losses.CtcLoss(y, targets, lengths, 0, Reduction.Mean).Item()));

        var leaf = y.WithGrad();
        var zeroed = Losses.CtcLoss(leaf, targets, lengths, 0, Reduction.Sum, zeroInfinity: true);
        Assert.Equal(inf[1], zeroed.Item(), 5);
        zeroed.Backward();
        var g = leaf.Grad!;
        for (int t = 0; t < 3; t++)
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(0f, g[t, 0, k]);                       // zeroed element: exactly 0
                Assert.True(float.IsFinite(g[t, 1, k]));
            }
        // the feasible element's gradient is the same as when it is alone
        var alone = y.Detach().Slice(1, 1, 1).WithGrad();
        Losses.CtcLoss(alone, CtcTargets.Padded([1, 2], 2, [2]), [3], 0, Reduction.Sum).Backward();
        for (int t = 0; t < 3; t++)
            for (int k = 0; k < 4; k++)
                Assert.Equal(alone.Grad![t, 0, k], g[t, 1, k], 6);
    }

    [Fact]
    public void Minimum_length_target_has_a_single_path()
    {
        // 'abba' needs exactly 5 steps: a b b̶ b a with the one blank between the two b's.
        var random = new RandomGenerator(8);
        var y = RandomLogProbs(random, 5, 1, 3);
        var loss = Losses.CtcLoss(y, CtcTargets.FromSequences([[1, 2, 2, 1]]), [5], 0, Reduction.Sum).Item();
        int[] path = [1, 2, 0, 2, 1];
        double expected = 0;
        for (int t = 0; t < 5; t++) expected -= y[t, 0, path[t]];
        Assert.Equal(expected, loss, 4);
    }

    [Fact]
    public void Bad_labels_and_lengths_are_rejected()
    {
        var y = Tensor.Zeros(4, 1, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CtcLoss(y, CtcTargets.FromSequences([[0, 1]]), [4]));   // a blank label
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CtcLoss(y, CtcTargets.FromSequences([[3]]), [4]));      // not a class
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CtcLoss(y, CtcTargets.FromSequences([[1]]), [5]));      // longer than T
        Assert.Throws<TensorShapeException>(() => Losses.CtcLoss(y, CtcTargets.FromSequences([[1], [2]]), [4, 4]));     // batch mismatch
        Assert.Throws<TensorShapeException>(() => Losses.CtcLoss(Tensor.Zeros(4, 3), CtcTargets.FromSequences([[1]]), [4]));
        Assert.Throws<ArgumentException>(() => CtcTargets.Concatenated([1, 2], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CtcTargets.Padded([1, 2], 2, [3]));
    }
}
