using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models;

/// <summary>Seq2Seq.Code and DecodeFrom: decoding from a vector instead of a source.</summary>
public class Seq2SeqCodeTests
{
    [Theory]
    [InlineData("lstm", 2, false)]
    [InlineData("gru", 1, true)]
    [InlineData("rnn", 3, false)]
    public void Decoding_from_a_sources_code_gives_what_decoding_the_source_gives(string cell, int layers, bool bidirectional)
    {
        var r = new RandomGenerator(1);
        var model = new Seq2Seq(9, 9, 4, 5, CellSpec.Parse(cell), layers, bidirectionalEncoder: bidirectional, random: r);
        model.Eval();
        var source = PaddedSequences.FromSequences([[3, 4, 5, 6], [7], [8, 3]]);
        var code = model.Code(source);
        int width = 5 * (bidirectional ? 2 : 1);
        Assert.Equal(new[] { 3, (cell == "lstm" ? 2 : 1) * layers * width }, code.GetShape());
        // The top layer's h inside the code is the sentence embedding.
        var embedding = model.Embed(source);
        for (int b = 0; b < 3; b++)
            for (int j = 0; j < width; j++) Assert.Equal(embedding[b, j], code[b, (layers - 1) * width + j]);
        Assert.Equal(model.GreedyDecode(source, 7), model.DecodeFrom(code, 7));
        // Any vector of the right width decodes; a wrong width is named.
        Assert.Equal(2, model.DecodeFrom(Tensor.RandomNormal(r, 0f, 1f, 2, code.Size(1)), 5).Count);
        Assert.Contains("are not (batch", Assert.Throws<TensorShapeException>(() => model.DecodeFrom(Tensor.Zeros(1, 3), 5)).Message);
    }

    [Fact]
    public void A_model_with_attention_cannot_decode_from_a_vector_alone()
    {
        var model = new Seq2Seq(6, 6, 3, 4, random: new RandomGenerator(2), attention: Seq2SeqAttention.Bahdanau);
        Assert.Throws<InvalidOperationException>(() => model.DecodeFrom(Tensor.Zeros(1, 16), 4));
    }
}
