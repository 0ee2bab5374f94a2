using RecurrentSharp.Data;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Models;

/// <summary>The joint slot tagger and intent classifier used by the atis task.</summary>
public class SlotIntentTaggerTests
{
    private static PaddedSequences Tokens(params int[][] sequences) => PaddedSequences.FromSequences(sequences);

    [Theory]
    [InlineData("lstm", true)]
    [InlineData("gru", false)]
    public void Gives_a_tag_row_per_word_and_an_intent_row_per_sentence_independent_of_padding(string cell, bool bidirectional)
    {
        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 10, Tags: 5, Intents: 3, EmbeddingSize: 4, HiddenSize: 6,
            Cell: cell, Bidirectional: bidirectional, Dropout: 0f), new RandomGenerator(1));
        model.Eval();
        var (tags, intents) = model.Forward(Tokens([2, 3, 4, 5], [6, 7]));
        Assert.Equal(new[] { 2, 4, 5 }, tags.GetShape());
        Assert.Equal(new[] { 2, 3 }, intents.GetShape());

        // The short sentence alone gives the same tags (at its 2 words) and intent as it did padded in the batch:
        // the backward direction starts at each sentence's own last word, not at the padding.
        var (aloneTags, aloneIntent) = model.Forward(Tokens([6, 7]));
        TensorAssert.Close(aloneTags.Select(0, 0), tags.Select(0, 1).Slice(0, 0, 2), 1e-5);
        TensorAssert.Close(aloneIntent.Select(0, 0), intents.Select(0, 1), 1e-5);
    }

    [Fact]
    public void Both_heads_backpropagate_correctly()
    {
        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 8, Tags: 4, Intents: 3, EmbeddingSize: 3, HiddenSize: 4, Dropout: 0f),
            new RandomGenerator(2));
        var input = Tokens([2, 3, 4], [5, 6]);
        var trainable = model.Parameters().ToArray();
        AssertGradientsMatch(() =>
        {
            var (tags, intents) = model.Forward(input);
            return [tags, intents];
        }, trainable, step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Character_features_and_the_crf_head_backpropagate_correctly_and_ignore_padding()
    {
        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 8, Tags: 4, Intents: 3, EmbeddingSize: 3, HiddenSize: 4, Dropout: 0f,
            Head: SlotIntentTagger.CrfHead, Characters: 6, CharEmbeddingSize: 2, CharFilters: 3), new RandomGenerator(4));
        Assert.NotNull(model.Crf);
        Assert.Contains(model.NamedParameters(), p => p.Key == "crf.transitions");
        Assert.Contains(model.NamedParameters(), p => p.Key == "char_cnn.conv.weight");
        int[][] words = [[2, 3, 4], [5, 6]];
        int[][][] characters = [[[2, 3], [4], [5, 2, 3, 4]], [[3, 3, 3], [2]]];
        var input = TaggerBatch.Create(words, characters);
        int[] gold = [1, 2, 3, 0, 3, 0];
        AssertGradientsMatch(() =>
        {
            var (tags, intents) = model.Forward(input);
            return [model.Crf!.NegativeLogLikelihood(tags, input.Words.Lengths, gold), intents];
        }, model.Parameters().ToArray(), step: 5e-3f, tolerance: 5e-3);

        // The short sentence alone: the same emissions at its words, the same Viterbi path.
        model.Eval();
        var (batched, _) = model.Forward(input);
        var alone = TaggerBatch.Create([words[1]], [characters[1]]);
        var (aloneTags, _) = model.Forward(alone);
        TensorAssert.Close(aloneTags.Select(0, 0), batched.Select(0, 1).Slice(0, 0, 2), 1e-5);
        var constraints = TagConstraints.Unconstrained(4, excluded: j => j == 0);
        Assert.Equal(model.DecodeTags(batched, input.Words.Lengths, constraints)[1], model.DecodeTags(aloneTags, [2], constraints)[0]);
        Assert.DoesNotContain(0, model.DecodeTags(batched, input.Words.Lengths, constraints).SelectMany(p => p));
    }

    [Fact]
    public void Character_features_tell_apart_unknown_words_by_their_spelling()
    {
        // Two words that share the <unk> id but not their characters must get different tag scores.
        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 4, Tags: 3, Intents: 2, EmbeddingSize: 3, HiddenSize: 4, Dropout: 0f,
            Characters: 6, CharEmbeddingSize: 2, CharFilters: 3), new RandomGenerator(5));
        model.Eval();
        var (a, _) = model.Forward(TaggerBatch.Create([[1]], [[[2, 3]]]));
        var (b, _) = model.Forward(TaggerBatch.Create([[1]], [[[4, 5, 5]]]));
        Assert.Contains(a.ToArray().Zip(b.ToArray()), p => Math.Abs(p.First - p.Second) > 1e-4);
        Assert.Throws<ArgumentException>(() => model.Forward(TaggerBatch.Create([[1]])));
    }

    [Fact]
    public void Learns_slots_that_need_left_and_right_context_and_an_intent()
    {
        // Words 2..7. The slot rule: word 3 is a city — tag 2 (B-from) after word 2 ("from"), tag 3 (B-to)
        // before word 4 ("bound"), otherwise tag 1 (O); so the tag depends on both neighbours. The intent is
        // 1 when word 7 occurs anywhere, else 0.
        var random = new RandomGenerator(3);
        var sentences = Enumerable.Range(0, 96).Select(_ => Enumerable.Range(0, 3 + random.Next(4)).Select(_ => 2 + random.Next(6)).ToArray()).ToArray();
        int[] TagsOf(int[] s) => s.Select((w, t) => w != 3 ? 1 : t > 0 && s[t - 1] == 2 ? 2 : t + 1 < s.Length && s[t + 1] == 4 ? 3 : 1).ToArray();
        int IntentOf(int[] s) => s.Contains(7) ? 1 : 0;

        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 8, Tags: 4, Intents: 2, EmbeddingSize: 8, HiddenSize: 16, Dropout: 0f), random);
        var adam = new Adam(model.Parameters(), lr: 0.02);
        var input = Tokens(sentences);
        var tagTargets = Tokens(sentences.Select(TagsOf).ToArray()).Ids;
        var mask = SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst);
        for (int step = 0; step < 150; step++)
        {
            var (tags, intents) = model.Forward(input);
            var loss = Losses.CrossEntropy(tags, tagTargets, mask: mask) + Losses.CrossEntropy(intents, sentences.Select(IntentOf).ToArray());
            model.ZeroGrad();
            loss.Backward();
            adam.Step();
        }

        model.Eval();
        var (finalTags, finalIntents) = model.Forward(input);
        var predictedTags = finalTags.ArgMaxRows();
        int words = 0, right = 0;
        for (int b = 0; b < sentences.Length; b++)
            for (int t = 0; t < sentences[b].Length; t++, words++)
                if (predictedTags[b * input.Steps + t] == tagTargets[b * input.Steps + t]) right++;
        Assert.True(right >= words * 0.98, $"only {right} of {words} tags right");
        var predictedIntents = finalIntents.ArgMaxRows();
        Assert.True(sentences.Where((s, b) => predictedIntents[b] == IntentOf(s)).Count() >= 94);
    }
}
