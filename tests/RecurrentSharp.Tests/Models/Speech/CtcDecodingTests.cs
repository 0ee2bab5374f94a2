using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Tests.Training;

namespace RecurrentSharp.Tests.Models.Speech;

public class CtcDecodingTests
{
    [Fact]
    public void Collapse_merges_repeats_and_drops_blanks()
    {
        Assert.Equal([1, 2, 2, 3], CtcGreedyDecoder.Collapse([0, 1, 1, 0, 2, 0, 2, 2, 3, 0], blank: 0));
        Assert.Equal([1, 1], CtcGreedyDecoder.Collapse([1, 4, 1], blank: 4));
        Assert.Empty(CtcGreedyDecoder.Collapse([0, 0], blank: 0));
    }

    [Fact]
    public void Greedy_decoding_reads_the_arg_max_path_with_a_stride()
    {
        // two interleaved sequences in a (T, N=2, C=3) layout; element 1 is read with stride N·C = 6
        float[] y =
        [
            0, -5, -5,   -5, -5, 0,
            -5, 0, -5,   -5, -5, 0,
            -5, 0, -5,   0, -5, -5,
            -5, -5, 0,   -5, -5, 0,
        ];
        Assert.Equal([1, 2], CtcGreedyDecoder.Decode(y, 4, 3, 6, blank: 0));
        Assert.Equal([2, 2, 0, 2], CtcGreedyDecoder.BestPath(y.AsSpan(3), 4, 3, 6));
        Assert.Equal([2, 2], CtcGreedyDecoder.Decode(y.AsSpan(3), 4, 3, 6, blank: 0));
        Assert.Throws<ArgumentException>(() => CtcGreedyDecoder.Decode(y, 5, 3, 6, 0));
    }

    [Theory]
    [InlineData(4, 3, 1)]
    [InlineData(5, 3, 2)]
    [InlineData(5, 4, 3)]
    [InlineData(6, 3, 4)]
    public void Prefix_beam_search_with_a_wide_beam_finds_the_most_probable_labelling(int T, int C, int seed)
    {
        var random = new RandomGenerator(seed);
        var y = Tensor.RandomNormal(random, 0f, 1f, T, C).LogSoftmax(1).ToArray();
        var all = CtcBruteForce.LabellingProbabilities(y, T, C, blank: 0);
        var best = all.MaxBy(p => p.Value);

        var hypotheses = CtcPrefixBeamSearch.Decode(y, T, C, C, blank: 0, width: 1000);
        Assert.Equal(best.Key, CtcBruteForce.Key(hypotheses[0].Labels));
        Assert.Equal(Math.Log(best.Value), hypotheses[0].LogProbability, 5);
        // every hypothesis' probability is its full sum over alignments
        foreach (var h in hypotheses)
            Assert.Equal(Math.Log(all[CtcBruteForce.Key(h.Labels)]), h.LogProbability, 5);
    }

    [Fact]
    public void Prefix_beam_search_can_beat_the_best_path()
    {
        // "a" wins by summing alignments although the single best path is blank-blank: p(−) = 0.55, p(a) = 0.45 at both frames.
        // best path "−−" gives ∅ (p = 0.3025); "a" has aa, a−, −a: 0.2025 + 2·0.2475 = 0.6975.
        float[] y = [MathF.Log(0.55f), MathF.Log(0.45f), MathF.Log(0.55f), MathF.Log(0.45f)];
        Assert.Empty(CtcGreedyDecoder.Decode(y, 2, 2, 2, blank: 0));
        var beam = CtcPrefixBeamSearch.Decode(y, 2, 2, 2, blank: 0, width: 2);
        Assert.Equal([1], beam[0].Labels);
        Assert.Equal(Math.Log(0.6975), beam[0].LogProbability, 5);
    }

    [Fact]
    public void Beam_of_width_one_keeps_one_hypothesis()
    {
        var random = new RandomGenerator(2);
        var y = Tensor.RandomNormal(random, 0f, 1f, 8, 5).LogSoftmax(1).ToArray();
        Assert.Single(CtcPrefixBeamSearch.Decode(y, 8, 5, 5, blank: 0, width: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CtcPrefixBeamSearch.Decode(y, 8, 5, 5, blank: 0, width: 0));
    }
}
