using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models;

/// <summary>Seq2Seq's length-normalised beam search: what it stops on, and that every score is what teacher forcing gives.</summary>
public class Seq2SeqBeamSearchTests
{
    // tokens: 0 pad, 1 begin, 2 end, 3 'a', 4 'b'
    private const int End = 2, A = 3;

    /// <summary>
    /// A decoder whose next-token distribution is the same after every prefix: the output layer's weights are zero and its
    /// bias is log p, p = (pad 0.05, begin 0.05, end 0.3, a 0.5, b 0.1). Width 2 keeps the two best extensions, a and end.
    /// Step 1: "a" (log 0.5) stays live, "" ends (log 0.3). Step 2: "aa" (log 0.25) stays live, "a" ends (log 0.15): two have
    /// ended, the search stops. Per token (α = 1, length max(1, |y|)) "" scores log 0.3 = −1.20 and "a" log 0.15 = −1.90, so
    /// "" wins. The live "a" of step 1 never ended; ranked on its log 0.5 = −0.69 without the end token's log 0.3 it would win.
    /// </summary>
    [Fact]
    public void Stopping_on_enough_ended_hypotheses_drops_the_live_ones_whose_log_probability_lacks_the_end_token()
    {
        var model = new Seq2Seq(5, 5, 3, 4, new CellSpec(CellKind.Gru), random: new RandomGenerator(3));
        model.Eval();
        model.Projection.Weight.Data.Clear();
        double[] p = [0.05, 0.05, 0.3, 0.5, 0.1];
        for (int v = 0; v < p.Length; v++) model.Projection.Bias!.Data[v] = (float)Math.Log(p[v]);

        var hypotheses = model.BeamSearchHypotheses([3, 4], beamWidth: 2, maxLength: 5);
        Assert.Equal(2, hypotheses.Count);
        Assert.Empty(hypotheses[0].Tokens);
        Assert.Equal(Math.Log(0.3), hypotheses[0].Score, 5);
        Assert.Equal(new[] { A }, hypotheses[1].Tokens);
        Assert.Equal(Math.Log(0.5 * 0.3), hypotheses[1].LogProbability, 5);
        Assert.All(hypotheses, h => Assert.True(h.Ended));
        Assert.Equal([Array.Empty<int>()], model.BeamSearch(PaddedSequences.FromSequences([[3, 4]]), beamWidth: 2, maxLength: 5));
    }

    public static TheoryData<Seq2SeqAttention, bool, float> Variants => new()
    {
        { Seq2SeqAttention.None, false, 1f },
        { Seq2SeqAttention.Bahdanau, false, 0f },
        { Seq2SeqAttention.Luong, true, 0.6f },
    };

    /// <summary>
    /// An untrained model (hypotheses end at various lengths or reach the limit without ending, depending on the variant):
    /// every hypothesis the search returns either ended or has maxLength tokens, and its log-probability and score are
    /// those of a teacher-forced forward pass over [begin, y] (the end token's log-probability added when it ended).
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_hypothesis_scores_its_teacher_forced_length_normalised_log_probability(Seq2SeqAttention attention, bool feeding, float lengthPenalty)
    {
        const int maxLength = 4;
        var model = new Seq2Seq(6, 6, 4, 8, new CellSpec(CellKind.Lstm), random: new RandomGenerator(11), attention: attention, inputFeeding: feeding);
        model.Eval();
        int[] source = [3, 4, 5, 3];
        var hypotheses = model.BeamSearchHypotheses(source, beamWidth: 4, maxLength: maxLength, lengthPenalty: lengthPenalty);
        Assert.NotEmpty(hypotheses);
        for (int i = 1; i < hypotheses.Count; i++) Assert.True(hypotheses[i - 1].Score >= hypotheses[i].Score);
        foreach (var h in hypotheses)
        {
            Assert.True(h.Ended || h.Tokens.Length == maxLength, $"[{string.Join(' ', h.Tokens)}] neither ended nor reached {maxLength} tokens");
            var logits = model.Forward(PaddedSequences.FromSequences([source]), PaddedSequences.FromSequences([[model.BeginId, .. h.Tokens]]));
            var logp = logits.LogSoftmax(-1).ToArray();
            int vocab = logits.Size(2);
            double expected = 0;
            for (int t = 0; t < h.Tokens.Length; t++) expected += logp[t * vocab + h.Tokens[t]];
            if (h.Ended) expected += logp[h.Tokens.Length * vocab + End];
            Assert.Equal(expected, h.LogProbability, 4);
            Assert.Equal(expected / Math.Pow(Math.Max(1, h.Tokens.Length), lengthPenalty), h.Score, 4);
        }
        Assert.Equal(hypotheses[0].Tokens, model.BeamSearch(PaddedSequences.FromSequences([source]), beamWidth: 4, maxLength: maxLength, lengthPenalty: lengthPenalty).Single());
    }
}
