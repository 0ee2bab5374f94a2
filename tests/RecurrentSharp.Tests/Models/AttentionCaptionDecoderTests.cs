using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models;

/// <summary>The show-attend-and-tell decoder: gradients, batching, the attention weights and beam search.</summary>
public class AttentionCaptionDecoderTests
{
    private const int Vocabulary = 6, Regions = 4, Features = 5;

    private static AttentionCaptionDecoder Decoder(int seed, bool contextToOutput = true) =>
        new(Vocabulary, embeddingSize: 3, hiddenSize: 4, featureSize: Features, attentionSize: 3, contextToOutput, random: new RandomGenerator(seed));

    private static PaddedSequences Tokens(params int[][] captions) => PaddedSequences.FromSequences(captions);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Teacher_forcing_matches_finite_differences_for_every_parameter_and_the_grid(bool contextToOutput)
    {
        var decoder = Decoder(1, contextToOutput);
        var grids = Input(new RandomGenerator(2), 2, Regions, Features);
        // Captions of different lengths: the second one's padded step is masked out of the logits.
        var tokens = Tokens([2, 4, 5], [2, 5]);
        Assert.Equal(new[] { 2, 3, Vocabulary }, decoder.Logits(grids, tokens).GetShape());
        var inputs = decoder.Parameters().Append(grids).ToArray();
        Assert.Contains(decoder.Attention.V!, inputs);
        AssertGradientsMatch(() => decoder.Logits(grids, tokens), inputs, step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void A_batch_gives_each_image_the_logits_weights_and_captions_it_gets_alone()
    {
        var decoder = Decoder(3);
        decoder.Eval();
        var grids = Tensor.RandomNormal(new RandomGenerator(4), 0, 1, 3, Regions, Features);
        int[][] captions = [[2, 4], [2, 5, 4, 4], [2, 3, 5]];
        var (logits, weights) = decoder.Forward(grids, Tokens(captions));
        for (int b = 0; b < 3; b++)
        {
            var (aloneLogits, aloneWeights) = decoder.Forward(grids.Slice(0, b, 1), Tokens(captions[b]));
            for (int t = 0; t < captions[b].Length; t++)
            {
                // An absolute tolerance, not "5 decimal places": rounding both to 5 places fails whenever the two straddle a
                // rounding boundary (0.0144849718 and 0.0144850183 did, once a batch row's product summed in another order).
                for (int v = 0; v < Vocabulary; v++) Assert.Equal(aloneLogits[0, t, v], (double)logits[b, t, v], 1e-5);
                for (int p = 0; p < Regions; p++) Assert.Equal(aloneWeights[0, t, p], (double)weights[b, t, p], 1e-5);
            }
        }
        var greedy = decoder.Generate(grids, 2, 3, 6);
        for (int b = 0; b < 3; b++) Assert.Equal(decoder.Generate(grids.Slice(0, b, 1), 2, 3, 6)[0], greedy[b]);
    }

    [Fact]
    public void The_weights_of_each_word_are_a_distribution_over_the_regions_and_the_order_of_the_regions_does_not_matter()
    {
        var decoder = Decoder(5);
        decoder.Eval();
        var grid = Tensor.RandomNormal(new RandomGenerator(6), 0, 2, 1, Regions, Features);
        int[] words = [4, 5, 4];
        var weights = decoder.AttentionOf(grid, words, beginId: 2);
        Assert.Equal(words.Length + 1, weights.Length);
        foreach (var row in weights)
        {
            Assert.Equal(1.0, row.Sum(), 5);
            Assert.All(row, w => Assert.InRange(w, 0f, 1f));
        }
        // Attention and the mean region are sums over the regions: reversing them reverses each row of weights and nothing else.
        var reversed = Tensor.Concat(Enumerable.Range(0, Regions).Reverse().Select(p => grid.Slice(1, p, 1)).ToArray(), 1);
        var again = decoder.AttentionOf(reversed, words, beginId: 2);
        for (int t = 0; t < weights.Length; t++)
            for (int p = 0; p < Regions; p++) Assert.Equal(weights[t][p], again[t][Regions - 1 - p], 5);
        TensorAssert.Close(decoder.Logits(grid, Tokens([2, .. words])), decoder.Logits(reversed, Tokens([2, .. words])), 1e-5);
    }

    [Fact]
    public void A_beam_as_wide_as_all_captions_finds_the_best_length_normalised_caption_scored_by_teacher_forcing()
    {
        // Every caption of up to 3 words is scored by the teacher-forced pass (not by the stepping the search uses);
        // the best log p / (words + 1) must be the beam's answer.
        const int begin = 2, end = 3, maxLength = 3;
        var decoder = Decoder(7);
        decoder.Eval();
        var grid = Tensor.RandomNormal(new RandomGenerator(8), 0, 2, 1, Regions, Features);
        double LogP(int[] words, bool ended)
        {
            using var noGrad = new NoGradScope();
            int[] targets = ended ? [.. words, end] : words;
            if (targets.Length == 0) return 0;
            var logProbs = decoder.Logits(grid, Tokens([begin, .. targets[..^1]])).LogSoftmax(-1);
            return Enumerable.Range(0, targets.Length).Sum(t => (double)logProbs[0, t, targets[t]]);
        }
        var all = new List<(int[] Words, double Score)>();
        void Grow(int[] words)
        {
            if (words.Length == maxLength)
            {
                all.Add((words, LogP(words, ended: false) / (words.Length + 1)));
                return;
            }
            all.Add((words, LogP(words, ended: true) / (words.Length + 1)));
            for (int w = 0; w < Vocabulary; w++) if (w != end) Grow([.. words, w]);
        }
        Grow([]);
        Assert.Equal(all.MaxBy(a => a.Score).Words, decoder.BeamSearch(grid, begin, end, maxLength, width: 216));
        Assert.Equal(decoder.Generate(grid, begin, end, maxLength).Single(), decoder.BeamSearch(grid, begin, end, maxLength, width: 1, lengthPenalty: 0));
    }
}
