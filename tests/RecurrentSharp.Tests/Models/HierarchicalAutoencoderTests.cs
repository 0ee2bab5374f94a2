using RecurrentSharp.Models;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models;

/// <summary>HierarchicalAutoencoder: gradients of the whole two-level model, padding of sentences and documents, decoding from a code.</summary>
public class HierarchicalAutoencoderTests
{
    private static HierarchicalAutoencoder Model(string cell, int seed) => new(8, 3, 4, CellSpec.Parse(cell), random: new RandomGenerator(seed));

    // Ids 0-2 are padding, begin and end; the characters are 3-7.
    private static readonly int[][][] Documents =
    [
        [[3, 4, 5], [6], [7, 3]],
        [[5, 5]],
        [[4, 6, 7, 3], [3, 7]],
    ];

    private static Tensor Loss(HierarchicalAutoencoder model, int[][][] documents)
    {
        var output = model.Forward(documents);
        return Losses.CrossEntropy(output.WordLogits, output.WordTargets, mask: output.WordMask)
            + Losses.CrossEntropy(output.StopLogits, output.StopTargets, mask: output.StopMask);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Teacher_forced_loss_matches_finite_differences(string cell)
    {
        var model = Model(cell, 1);
        Assert.Equal(new[] { 6, 5, 8 }, model.Forward(Documents).WordLogits.GetShape());   // 6 sentences, the longest 4 + <eos>
        Assert.Equal(new[] { 3, 3, 2 }, model.Forward(Documents).StopLogits.GetShape());
        // Every parameter of all four recurrent layers, the embedding and the three linear layers gets its gradient through the fused BPTT.
        AssertGradientsMatch(() => Loss(model, Documents), model.Parameters().ToArray(), step: 5e-3f, tolerance: 5e-3);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void A_padded_batch_gives_each_document_what_it_gets_alone(string cell)
    {
        var model = Model(cell, 2);
        var batch = model.Forward(Documents);
        var codes = model.Code(Documents);
        int sentence = 0;
        for (int b = 0; b < Documents.Length; b++)
        {
            var alone = model.Forward([Documents[b]]);
            var code = model.Code([Documents[b]]);
            for (int j = 0; j < model.CodeSize; j++) Assert.Equal(code[0, j], codes[b, j], 5);
            for (int s = 0; s < Documents[b].Length; s++, sentence++)
            {
                for (int t = 0; t <= Documents[b][s].Length; t++)
                    for (int v = 0; v < 8; v++)
                        Assert.Equal(alone.WordLogits[s, t, v], batch.WordLogits[sentence, t, v], 5);
                for (int k = 0; k < 2; k++) Assert.Equal(alone.StopLogits[0, s, k], batch.StopLogits[b, s, k], 5);
            }
        }
        model.Eval();
        var decoded = model.GreedyDecode(Documents, maxSentences: 4, maxLength: 6);
        for (int b = 0; b < Documents.Length; b++)
            Assert.Equal(model.GreedyDecode([Documents[b]], 4, 6)[0], decoded[b]);
    }

    [Fact]
    public void The_stop_targets_mark_each_documents_last_sentence_and_the_mask_its_real_ones()
    {
        var output = Model("lstm", 3).Forward(Documents);
        Assert.Equal(new[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, output.StopTargets);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0, 1, 1, 0 }, output.StopMask.ToArray());
        // Sentence 2 of document 0 is [7, 3]: it must write 7, 3, <eos>, then padding that does not count.
        Assert.Equal(new[] { 7, 3, 2, 0, 0 }, output.WordTargets[10..15]);
        Assert.Equal(new float[] { 1, 1, 1, 0, 0 }, output.WordMask.ToArray()[10..15]);
    }

    [Fact]
    public void Decoding_from_a_documents_code_gives_its_reconstruction_and_any_vector_of_the_width_decodes()
    {
        var model = Model("lstm", 4);
        model.Eval();
        var codes = model.Code(Documents);
        Assert.Equal(new[] { 3, 8 }, codes.GetShape());   // h and c of the sentence encoder, 4 each
        Assert.Equal(model.GreedyDecode(Documents, 5, 7), model.DecodeFrom(codes, 5, 7));
        var decoded = model.DecodeFrom(Tensor.RandomNormal(new RandomGenerator(5), 0f, 3f, 2, 8), 3, 4);
        Assert.Equal(2, decoded.Count);
        Assert.All(decoded, d => Assert.InRange(d.Count, 1, 3));
        Assert.All(decoded.SelectMany(d => d), s => Assert.InRange(s.Length, 0, 4));
        Assert.Contains("are not (batch, 8)", Assert.Throws<TensorShapeException>(() => model.DecodeFrom(Tensor.Zeros(1, 4), 3, 4)).Message);
        Assert.Throws<ArgumentException>(() => model.Forward([[[3], []]]));
    }
}
