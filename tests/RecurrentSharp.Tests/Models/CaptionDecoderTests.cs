using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models;

public class CaptionDecoderTests
{
    private static CaptionDecoder Lstm(int vocabulary = 6, int seed = 4) =>
        new(vocabulary, embeddingSize: 3, hiddenSize: 4, featureSize: 5, random: new RandomGenerator(seed), cell: CellSpec.Parse("lstm"));

    [Fact]
    public void The_lstm_decoder_adds_the_image_to_the_first_steps_gates_only()
    {
        var r = new RandomGenerator(9);
        var decoder = Lstm();
        var features = Tensor.RandomNormal(r, 0, 1, 2, 5);
        var tokens = PaddedSequences.FromSequences([[1, 3, 4], [1, 5]]);
        var logits = decoder.Forward(features, tokens);
        Assert.Equal(new[] { 2, 3, 6 }, logits.GetShape());

        // By hand, PyTorch's gate order i, f, g, o: step 1 with V X and no previous state, step 2 from (h_1, c_1) without V X.
        var w = decoder.Rnn.StateDict();
        var x = decoder.WordEmbedding.Forward(tokens.Ids, 2, 3).Detach();
        (Tensor H, Tensor C) Cell(Tensor a, Tensor? c0)
        {
            var i = a.Slice(1, 0, 4).Sigmoid();
            var f = a.Slice(1, 4, 4).Sigmoid();
            var g = a.Slice(1, 8, 4).Tanh();
            var o = a.Slice(1, 12, 4).Sigmoid();
            var c = c0 is null ? i * g : f * c0 + i * g;
            return (o * c.Tanh(), c);
        }
        var bias = w["bias_ih_l0"] + w["bias_hh_l0"];
        var (h1, c1) = Cell(Tensor.MatMul(x.Select(1, 0), w["weight_ih_l0"], transposeB: true) + Tensor.MatMul(features, decoder.ImageWeight, transposeB: true) + bias, null);
        TensorAssert.Close(decoder.Projection.Forward(h1), logits.Select(1, 0), 1e-5, "step 1");
        var (h2, _) = Cell(Tensor.MatMul(x.Select(1, 1), w["weight_ih_l0"], transposeB: true) + Tensor.MatMul(h1, w["weight_hh_l0"], transposeB: true) + bias, c1);
        TensorAssert.Close(decoder.Projection.Forward(h2), logits.Select(1, 1), 1e-5, "step 2");
    }

    [Fact]
    public void A_beam_as_wide_as_all_captions_finds_the_best_length_normalised_caption_by_brute_force()
    {
        // Vocabulary 6 (<pad> <unk> <bos> <eos> w4 w5), captions of up to 3 words: every caption is scored by the model
        // step by step and the best log p / (words + 1) is the answer; a beam of 6^3 misses none.
        const int begin = 2, end = 3, maxLength = 3;
        var decoder = Lstm(seed: 11);
        decoder.Eval();
        var features = Tensor.RandomNormal(new RandomGenerator(12), 0, 2, 1, 5);
        double LogP(int[] words, bool ended)
        {
            using var noGrad = new NoGradScope();
            double total = 0;
            CaptionDecoder.State? state = null;
            int previous = begin;
            int[] targets = ended ? [.. words, end] : words;
            for (int t = 0; t < targets.Length; t++)
            {
                (var logits, state) = decoder.Step([previous], state, t == 0 ? features : null);
                total += logits.LogSoftmax(-1).ToArray()[targets[t]];
                previous = targets[t];
            }
            return total;
        }
        var all = new List<(int[] Words, double Score)>();
        void Grow(int[] words)
        {
            // Shorter captions end with <eos>; one of maxLength words ends there, without it (as greedy decoding stops).
            if (words.Length == maxLength)
            {
                all.Add((words, LogP(words, ended: false) / (words.Length + 1)));
                return;
            }
            all.Add((words, LogP(words, ended: true) / (words.Length + 1)));
            for (int w = 0; w < 6; w++) if (w != end) Grow([.. words, w]);
        }
        Grow([]);
        var best = all.MaxBy(a => a.Score).Words;
        Assert.Equal(best, decoder.BeamSearch(features, begin, end, maxLength, width: 216));
        // Width 1 is greedy decoding.
        Assert.Equal(decoder.Generate(features, begin, end, maxLength).Single(), decoder.BeamSearch(features, begin, end, maxLength, width: 1, lengthPenalty: 0));
    }
}
