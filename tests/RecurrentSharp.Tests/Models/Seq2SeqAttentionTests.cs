using RecurrentSharp.Data;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models;

/// <summary>Seq2Seq with Bahdanau and Luong attention decoders: gradients, padding, decoding.</summary>
public class Seq2SeqAttentionTests
{
    private static PaddedSequences Tokens(params int[][] sequences) => PaddedSequences.FromSequences(sequences);

    public static TheoryData<string, Seq2SeqAttention, AttentionScore, bool, bool> Variants => new()
    {
        { "lstm", Seq2SeqAttention.Bahdanau, AttentionScore.Additive, false, false },
        { "gru", Seq2SeqAttention.Bahdanau, AttentionScore.Additive, false, true },
        { "lstm", Seq2SeqAttention.Luong, AttentionScore.General, false, false },
        { "lstm", Seq2SeqAttention.Luong, AttentionScore.Dot, true, false },
        { "gru", Seq2SeqAttention.Luong, AttentionScore.Concat, true, true },
    };

    private static Seq2Seq Model(string cell, Seq2SeqAttention attention, AttentionScore score, bool feeding, bool bidirectional, RandomGenerator r, int layers = 1) =>
        new(6, 5, 3, 4, CellSpec.Parse(cell), layers, bidirectionalEncoder: bidirectional, random: r, attention: attention, luongScore: score, inputFeeding: feeding);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Teacher_forcing_with_attention_matches_finite_differences(string cell, Seq2SeqAttention attention, AttentionScore score, bool feeding, bool bidirectional)
    {
        var r = new RandomGenerator(1);
        var model = Model(cell, attention, score, feeding, bidirectional, r, layers: 2);
        // Sources of different lengths (the second is padded, so attention masks it). The targets are of one
        // length: a step-by-step decoder reads the padding id after a short target's end, and the padding row
        // of an embedding takes part in the forward pass but gets no gradient (PyTorch's padding_idx), which
        // finite differences would see.
        var source = Tokens([3, 4, 5], [5, 3]);
        var target = Tokens([1, 3, 4], [1, 2, 3]);
        Assert.Equal(new[] { 2, 3, 5 }, model.Forward(source, target).GetShape());
        var trainable = model.Parameters().ToArray();
        Assert.Contains(model.Attention!.Parameters().FirstOrDefault() ?? trainable[0], trainable);
        AssertGradientsMatch(() => model.Forward(source, target), trainable, step: 5e-3f, tolerance: 5e-3);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_padded_batch_gives_each_sentence_what_it_gets_alone(string cell, Seq2SeqAttention attention, AttentionScore score, bool feeding, bool bidirectional)
    {
        var r = new RandomGenerator(2);
        var model = Model(cell, attention, score, feeding, bidirectional, r);
        int[][] sources = [[3, 4, 5, 3], [5], [4, 3]];
        int[][] targets = [[1, 3], [1, 4, 2], [1, 2, 3]];
        var batch = model.Forward(Tokens(sources), Tokens(targets));
        for (int b = 0; b < 3; b++)
        {
            var alone = model.Forward(Tokens(sources[b]), Tokens(targets[b]));
            for (int t = 0; t < targets[b].Length; t++)
                for (int v = 0; v < 5; v++)
                    Assert.Equal(alone[0, t, v], batch[b, t, v], 5);
        }
        model.Eval();
        var greedy = model.GreedyDecode(Tokens(sources), 6);
        for (int b = 0; b < 3; b++) Assert.Equal(model.GreedyDecode(Tokens(sources[b]), 6)[0], greedy[b]);
    }

    [Fact]
    public void Luong_without_input_feeding_runs_all_steps_in_one_pass_and_equals_the_stepwise_decoder()
    {
        var r = new RandomGenerator(3);
        var model = Model("lstm", Seq2SeqAttention.Luong, AttentionScore.General, false, false, r, layers: 2);
        var source = Tokens([3, 4, 5], [5, 3]);
        var target = Tokens([1, 3, 4, 2], [1, 4, 3, 2]);
        TensorAssert.Close(model.Forward(source, target), model.Forward(source, target, teacherForcing: 0.999999f), 1e-5);
    }

    [Fact]
    public void Alignment_rows_are_distributions_over_the_real_source_and_match_the_greedy_output()
    {
        var r = new RandomGenerator(4);
        var model = Model("gru", Seq2SeqAttention.Bahdanau, AttentionScore.Additive, false, false, r);
        model.Eval();
        var (tokens, weights) = model.GreedyDecodeWithAttention([3, 4, 5], 5);
        Assert.Equal(model.GreedyDecode(Tokens([3, 4, 5]), 5)[0], tokens);
        // One row per chosen token, and one for the end token when it was chosen before the limit.
        Assert.InRange(weights.Length, tokens.Length, tokens.Length + 1);
        foreach (var row in weights)
        {
            Assert.Equal(3, row.Length);
            Assert.Equal(1.0, row.Sum(), 5);
        }
        Assert.Throws<InvalidOperationException>(() => new Seq2Seq(6, 5, 3, 4, random: r).GreedyDecodeWithAttention([3], 4));
        Assert.Throws<ArgumentException>(() => new Seq2Seq(6, 5, 3, 4, random: r, attention: Seq2SeqAttention.Bahdanau, inputFeeding: true));
    }

    [Theory]
    [InlineData(Seq2SeqAttention.Bahdanau, false)]
    [InlineData(Seq2SeqAttention.Luong, true)]
    public void Attention_learns_to_reverse_sequences_and_beam_1_is_greedy(Seq2SeqAttention attention, bool feeding)
    {
        // Reversing 3-6 tokens: the decoder must find the last source token first, which attention makes easy.
        var r = new RandomGenerator(5);
        var model = new Seq2Seq(8, 8, 8, 16, new CellSpec(CellKind.Gru), random: r, attention: attention, inputFeeding: feeding);
        var sequences = Enumerable.Range(0, 48).Select(_ => Enumerable.Range(0, 3 + r.Next(4)).Select(_ => 3 + r.Next(5)).ToArray()).ToArray();
        var reversed = sequences.Select(s => s.Reverse().ToArray()).ToArray();
        var adam = new Adam(model.Parameters().ToArray(), lr: 0.02);
        var source = Tokens(sequences);
        var input = Tokens(reversed.Select(s => (int[])[1, .. s]).ToArray());
        var targets = Tokens(reversed.Select(s => (int[])[.. s, 2]).ToArray()).Ids;
        var mask = SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst);
        for (int epoch = 0; epoch < 80; epoch++)
        {
            var loss = Losses.CrossEntropy(model.Forward(source, input), targets, mask: mask);
            model.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        model.Eval();
        var test = Tokens(sequences.Take(16).ToArray());
        var greedy = model.GreedyDecode(test, 8);
        int correct = Enumerable.Range(0, 16).Count(i => greedy[i].SequenceEqual(reversed[i]));
        Assert.True(correct >= 12, $"greedy decoding reversed only {correct}/16 sequences");
        Assert.Equal(greedy, model.BeamSearch(test, beamWidth: 1, maxLength: 8));
        var beams = model.BeamSearch(test, beamWidth: 3, maxLength: 8);
        Assert.True(Enumerable.Range(0, 16).Count(i => beams[i].SequenceEqual(reversed[i])) >= correct - 1);
    }
}
