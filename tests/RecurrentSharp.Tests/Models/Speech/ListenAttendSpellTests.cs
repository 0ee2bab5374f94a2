using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models.Speech;

/// <summary>Listen, attend and spell on tiny instances: gradients, padding, and learning to spell synthetic "utterances".</summary>
public class ListenAttendSpellTests
{
    private static ListenAttendSpell Tiny(RandomGenerator random, bool pyramidal = true, float dropout = 0f, int hidden = 3, int speller = 4, float ctcWeight = 0f) =>
        new(new ListenAttendSpellConfig(InputSize: 3, Vocabulary: 6, HiddenSize: hidden, Layers: 2, Pyramidal: pyramidal, Dropout: dropout,
            EmbeddingSize: 2, SpellerSize: speller, CtcWeight: ctcWeight), random);

    private static (Tensor X, int[] Lengths) Frames(RandomGenerator random, params int[] lengths)
    {
        int steps = lengths.Max();
        var x = Tensor.RandomNormal(random, 0f, 1f, lengths.Length, steps, 3);
        for (int b = 0; b < lengths.Length; b++)
            x.Data.Slice((b * steps + lengths[b]) * 3, (steps - lengths[b]) * 3).Clear();   // padding is zero, as the task pads
        return (x, lengths);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Teacher_forced_logits_match_finite_differences(bool pyramidal)
    {
        var random = new RandomGenerator(1);
        var model = Tiny(random, pyramidal);
        var (x, lengths) = Frames(random, 5, 3);            // odd lengths: the pyramid pairs the last frame with zeros
        var input = PaddedSequences.FromSequences([[1, 3, 4], [1, 4, 5]]);
        Assert.Equal(new[] { 2, 3, 6 }, model.Forward(x, lengths, input).GetShape());
        AssertGradientsMatch(() => model.Forward(x, lengths, input), model.Parameters().ToArray(), step: 5e-3f, tolerance: 1e-2);
    }

    [Fact]
    public void The_joint_ctc_attention_loss_matches_finite_differences_and_its_head_reads_the_listener_frames()
    {
        var random = new RandomGenerator(4);
        var model = Tiny(random, ctcWeight: 0.3f);
        var (x, lengths) = Frames(random, 6, 4);
        var input = PaddedSequences.FromSequences([[1, 3, 4], [1, 5]]);
        var target = PaddedSequences.FromSequences([[3, 4, 2], [5, 2]]);
        var (logits, ctc) = model.ForwardJoint(x, lengths, input);
        Assert.Equal(model.Forward(x, lengths, input).ToArray(), logits.ToArray());
        Assert.Equal(new[] { 3, 2, 6 }, ctc.GetShape());                   // (T', B, V): the pyramid halves 6 frames
        Tensor Loss()
        {
            var (l, c) = model.ForwardJoint(x, lengths, input);
            var attention = Losses.CrossEntropy(l, target.Ids, mask: target.Mask());
            return 0.3f * Losses.CtcLoss(c, CtcTargets.FromSequences([[3, 4], [5]]), [3, 2], blank: 0, Reduction.Mean) + 0.7f * attention;
        }
        AssertGradientsMatch(Loss, model.Parameters().ToArray(), step: 5e-3f, tolerance: 1e-2);
        Assert.Contains(model.NamedParameters(), p => p.Key == "ctc.weight");
        Assert.DoesNotContain(Tiny(new RandomGenerator(4)).NamedParameters(), p => p.Key.StartsWith("ctc.", StringComparison.Ordinal));
        Assert.Throws<InvalidOperationException>(() => Tiny(new RandomGenerator(4)).ForwardJoint(x, lengths, input));
    }

    [Fact]
    public void Beam_search_of_width_one_spells_as_greedy_and_scores_its_spellings_by_their_log_probability()
    {
        var random = new RandomGenerator(5);
        var model = Tiny(random, hidden: 4, speller: 5);
        model.Eval();
        var (x, lengths) = Frames(random, 7, 3, 5, 6, 2);
        var greedy = model.GreedyDecode(x, lengths, 6).Tokens;
        var one = model.BeamDecode(x, lengths, 6, width: 1);
        var wide = model.BeamDecode(x, lengths, 6, width: 4, lengthPenalty: 0);
        for (int b = 0; b < lengths.Length; b++)
        {
            Assert.Equal(greedy[b], Assert.Single(one[b]).Tokens);
            Assert.Equal(TeacherForcedLogP(model, x, lengths, b, one[b][0].Tokens, ended: one[b][0].Tokens.Length < 6), one[b][0].LogProbability, 4);
            // every hypothesis the wide beam finished, its log P as teacher forcing computes it, ranked best first
            Assert.InRange(wide[b].Count, 1, 4);
            foreach (var h in wide[b])
                Assert.Equal(TeacherForcedLogP(model, x, lengths, b, h.Tokens, ended: h.Tokens.Length < 6), h.LogProbability, 4);
            Assert.Equal(wide[b].Select(h => h.LogProbability).OrderDescending(), wide[b].Select(h => h.LogProbability));
        }
    }

    /// <summary>log P(tokens [+ end] | utterance b) from the teacher-forced logits, to check the beam's sums.</summary>
    private static double TeacherForcedLogP(ListenAttendSpell model, Tensor x, int[] lengths, int b, int[] tokens, bool ended)
    {
        var alone = x.Select(0, b).Slice(0, 0, lengths[b]).Unsqueeze(0);
        int[] next = ended ? [.. tokens, 2] : tokens;
        var logProbs = model.Forward(alone, [lengths[b]], PaddedSequences.FromSequences([[1, .. tokens[..(next.Length - 1)]]])).LogSoftmax(2);
        double sum = 0;
        for (int t = 0; t < next.Length; t++) sum += logProbs[0, t, next[t]];
        return sum;
    }

    [Fact]
    public void A_padded_batch_gives_each_utterance_what_it_gets_alone()
    {
        var random = new RandomGenerator(2);
        var model = Tiny(random);
        var (x, lengths) = Frames(random, 7, 2, 4);
        int[][] inputs = [[1, 3], [1, 5, 4], [1, 4, 3]];
        var batch = model.Forward(x, lengths, PaddedSequences.FromSequences(inputs));
        model.Eval();
        var (tokens, weights) = model.GreedyDecode(x, lengths, 5);
        for (int b = 0; b < 3; b++)
        {
            var alone = x.Select(0, b).Slice(0, 0, lengths[b]).Unsqueeze(0);
            model.Train();
            var single = model.Forward(alone, [lengths[b]], PaddedSequences.FromSequences([inputs[b]]));
            for (int t = 0; t < inputs[b].Length; t++)
                for (int v = 0; v < 6; v++)
                    Assert.Equal(single[0, t, v], batch[b, t, v], 5);
            model.Eval();
            Assert.Equal(model.GreedyDecode(alone, [lengths[b]], 5).Tokens[0], tokens[b]);
            // one attention row per step taken, over the utterance's own listener frames only, each a distribution
            Assert.Equal(Math.Min(5, tokens[b].Length + 1), weights[b].Length);
            foreach (var row in weights[b])
            {
                Assert.Equal(model.EncodedLength(lengths[b]), row.Length);
                Assert.Equal(1f, row.Sum(), 4);
            }
        }
    }

    [Fact]
    public void Learns_to_spell_synthetic_utterances_it_has_to_attend_to()
    {
        // Each letter (3..5) sounds like its own feature vector for 2-4 frames, with noise; a "word" is its letters' sounds
        // in order. Words of one letter set in different orders ([3,4] vs [4,3]) can only be told apart by where the speller looks.
        var random = new RandomGenerator(3);
        int[][] words = [[3, 4], [4, 3], [5], [3, 5, 4], [4, 4, 5]];
        var sounds = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 3).Select(_ => 2f * random.NextFloat() - 1f).ToArray()).ToArray();
        (Tensor X, int[] Lengths) Utterances(int[] which)
        {
            var frames = which.Select(w => words[w].SelectMany(letter => Enumerable.Repeat(letter, 2 + random.Next(3))).ToArray()).ToArray();
            int steps = frames.Max(f => f.Length);
            var x = new float[which.Length * steps * 3];
            for (int b = 0; b < which.Length; b++)
                for (int t = 0; t < frames[b].Length; t++)
                    for (int d = 0; d < 3; d++) x[(b * steps + t) * 3 + d] = sounds[frames[b][t] - 3][d] + 0.1f * (2f * random.NextFloat() - 1f);
            return (Tensor.Wrap(x, which.Length, steps, 3), frames.Select(f => f.Length).ToArray());
        }

        var model = Tiny(random, hidden: 8, speller: 12);
        var adam = new Adam(model.Parameters().ToArray(), lr: 0.02);
        var all = Enumerable.Range(0, words.Length).ToArray();
        var input = PaddedSequences.FromSequences(words.Select(w => (IReadOnlyList<int>)[1, .. w]).ToArray());
        var target = PaddedSequences.FromSequences(words.Select(w => (IReadOnlyList<int>)[.. w, 2]).ToArray());
        double first = 0, last = 0;
        for (int step = 0; step < 150; step++)
        {
            var (x, lengths) = Utterances(all);
            var loss = Losses.CrossEntropy(model.Forward(x, lengths, input), target.Ids, mask: target.Mask());
            if (step == 0) first = loss.Item();
            last = loss.Item();
            model.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        Assert.True(last < first / 10, $"loss {first:F3} -> {last:F3}");
        model.Eval();
        var test = Utterances(all);                          // new draws of the frame counts and the noise
        var heard = model.GreedyDecode(test.X, test.Lengths, 6).Tokens;
        for (int w = 0; w < words.Length; w++) Assert.Equal(words[w], heard[w]);
    }
}
