using RecurrentSharp.Training;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;
using RecurrentSharp.Models;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>Seq2Seq (teacher forcing, greedy and beam decoding, the autoencoder) and the captioning decoder.</summary>
public class EncoderDecoderTests
{
    private static PaddedSequences Tokens(params int[][] sequences) => PaddedSequences.FromSequences(sequences);

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("gru", true)]
    public void Seq2seq_teacher_forcing_matches_finite_differences(string cell, bool bidirectional)
    {
        var r = new RandomGenerator(1);
        var model = new Seq2Seq(6, 5, 3, 4, CellSpec.Parse(cell), bidirectionalEncoder: bidirectional, random: r);
        var source = Tokens([3, 4, 5], [5, 3]);
        var target = Tokens([1, 3, 4], [1, 2]);
        Assert.Equal(new[] { 2, 3, 5 }, model.Forward(source, target).GetShape());
        var trainable = model.Parameters().Where(p => p.Length < 200).ToArray();
        AssertGradientsMatch(() => model.Forward(source, target), trainable, step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Stepwise_decoding_with_full_teacher_forcing_equals_the_fused_pass()
    {
        var r = new RandomGenerator(2);
        var model = new Seq2Seq(6, 6, 3, 4, random: r);
        var source = Tokens([3, 4, 5]);
        var target = Tokens([1, 3, 4, 5]);
        var fused = model.Forward(source, target);
        var stepwise = model.Forward(source, target, teacherForcing: 0.999999f);
        TensorAssert.Close(fused, stepwise, 1e-5);
    }

    [Fact]
    public void Autoencoder_learns_to_copy_and_decodes_greedily_and_with_beams()
    {
        // Tokens 3..7 in random short sequences; the autoencoder must reproduce them.
        var r = new RandomGenerator(3);
        var model = Seq2Seq.Autoencoder(8, 16, 32, new CellSpec(CellKind.Gru), random: r);
        var parameters = model.Parameters().ToArray();
        var sequences = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 1 + r.Next(3)).Select(_ => 3 + r.Next(5)).ToArray()).ToArray();
        var adam = new Adam(parameters, lr: 0.02);
        for (int epoch = 0; epoch < 60; epoch++)
        {
            var source = Tokens(sequences);
            var input = Tokens(sequences.Select(s => (int[])[1, .. s]).ToArray());
            var targetIds = sequences.SelectMany(s => (int[])[.. s, 2]).ToArray();
            var logits = model.Forward(source, input);
            var loss = MaskedCrossEntropy(logits, input, sequences);
            model.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        model.Eval();
        var test = Tokens(sequences.Take(16).ToArray());
        var greedy = model.GreedyDecode(test, 6);
        var beams = model.BeamSearch(test, beamWidth: 3, maxLength: 6);
        int correct = Enumerable.Range(0, 16).Count(i => greedy[i].SequenceEqual(sequences[i]));
        Assert.True(correct >= 14, $"greedy decoding reproduced only {correct}/16 sequences");
        Assert.True(Enumerable.Range(0, 16).Count(i => beams[i].SequenceEqual(sequences[i])) >= correct - 1);
        Assert.Equal(greedy, model.BeamSearch(test, beamWidth: 1, maxLength: 6));
        Assert.Equal(new[] { 16, 32 }, model.Embed(test).GetShape());
    }

    /// <summary>Σ over real steps of -log p(target), averaged over steps (target = source then the end token).</summary>
    private static Tensor MaskedCrossEntropy(Tensor logits, PaddedSequences input, int[][] sequences)
    {
        int batch = logits.Size(0), steps = logits.Size(1), vocab = logits.Size(2);
        var logp = logits.LogSoftmax(-1).Reshape(batch * steps * vocab);
        var pick = new List<int>();
        for (int b = 0; b < batch; b++)
        {
            int[] target = [.. sequences[b], 2];
            for (int t = 0; t < target.Length; t++) pick.Add((b * steps + t) * vocab + target[t]);
        }
        return -logp.Reshape(-1, 1).IndexSelect(0, pick.ToArray()).Mean();
    }

    [Fact]
    public void Caption_decoder_adds_the_image_only_at_the_first_step()
    {
        var r = new RandomGenerator(4);
        var decoder = new CaptionDecoder(vocabulary: 7, embeddingSize: 3, hiddenSize: 4, featureSize: 5, random: r);
        var features = Input(r, 2, 5);
        var tokens = Tokens([1, 3, 4], [1, 5]);
        var logits = decoder.Forward(features, tokens);
        Assert.Equal(new[] { 2, 3, 7 }, logits.GetShape());
        Assert.Equal(0f, logits[1, 2, 0]); // padded step

        // s_1 by hand: tanh(U x_1 + V X + b); later steps are a plain Elman recurrence from s_1.
        var w = decoder.Rnn.StateDict();
        var x = decoder.WordEmbedding.Forward(tokens.Ids, 2, 3).Detach();
        var s = (Tensor.MatMul(x.Select(1, 0), w["weight_ih_l0"], transposeB: true) + Tensor.MatMul(features.Detach(), decoder.ImageWeight, transposeB: true)
                 + w["bias_ih_l0"] + w["bias_hh_l0"]).Tanh();
        TensorAssert.Close(decoder.Projection.Forward(s), logits.Select(1, 0), 1e-5, "step 1");
        var s2 = (Tensor.MatMul(x.Select(1, 1), w["weight_ih_l0"], transposeB: true) + Tensor.MatMul(s, w["weight_hh_l0"], transposeB: true)
                  + w["bias_ih_l0"] + w["bias_hh_l0"]).Tanh();
        TensorAssert.Close(decoder.Projection.Forward(s2), logits.Select(1, 1), 1e-5, "step 2");

        Assert.Equal(2, decoder.Generate(features.Detach(), 1, 2, 4).Count);
    }

    [Fact]
    public void Cnn_features_into_the_caption_decoder_match_finite_differences()
    {
        var r = new RandomGenerator(5);
        var cnn = new ConvFeatureExtractor(1, 8, 8, featureSize: 4, filters: 2, random: r);
        var decoder = new CaptionDecoder(6, 3, 4, 4, random: r);
        var images = Input(r, 2, 1, 8, 8);
        var tokens = Tokens([1, 3, 4], [1, 2]);
        AssertGradientsMatch(() => decoder.Forward(cnn.Forward(images), tokens),
            [images, decoder.ImageWeight, decoder.Rnn.StateDict()["weight_hh_l0"], cnn.Parameters().First()], step: 5e-3f, tolerance: 5e-3);
    }
}
