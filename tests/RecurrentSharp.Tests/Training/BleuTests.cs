using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tests.Training;

public class BleuTests
{
    private static (IReadOnlyList<string>, IReadOnlyList<string>) Pair(string candidate, string reference) =>
        (candidate.Split(' ', StringSplitOptions.RemoveEmptyEntries), reference.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Corpus_bleu_matches_a_hand_computed_example()
    {
        // Sentence 1: candidate a b c d e, reference a b c d f.
        //   1-grams a b c d e: 4 of 5 in the reference; 2-grams ab bc cd de: 3 of 4; 3-grams abc bcd cde: 2 of 3; 4-grams abcd bcde: 1 of 2.
        // Sentence 2: candidate a a, reference a b a.
        //   1-grams a a: both match (the reference has two a's, so clipping keeps 2); 2-gram aa: 0 of 1; no 3- or 4-grams.
        // Corpus: p1 = 6/7, p2 = 3/5, p3 = 2/3, p4 = 1/2; c = 7, r = 8, so BP = e^(1 − 8/7) = e^(−1/7).
        // BLEU = e^(−1/7) · (6/7 · 3/5 · 2/3 · 1/2)^(1/4) = e^(−1/7) · (6/35)^(1/4) = 0.866878 · 0.643459 = 0.557801.
        var score = Bleu.Corpus([Pair("a b c d e", "a b c d f"), Pair("a a", "a b a")]);
        Assert.Equal(new[] { 6.0 / 7, 3.0 / 5, 2.0 / 3, 1.0 / 2 }, score.Precisions);
        Assert.Equal(7, score.CandidateLength);
        Assert.Equal(8, score.ReferenceLength);
        Assert.Equal(Math.Exp(-1.0 / 7), score.BrevityPenalty, 12);
        Assert.Equal(100 * Math.Exp(-1.0 / 7) * Math.Pow(6.0 / 35, 0.25), score.Score, 9);
        Assert.Equal(55.7801, score.Score, 3);
    }

    [Fact]
    public void Repeated_words_are_clipped_and_long_candidates_get_no_penalty()
    {
        // "the" occurs once in the reference, so only one of the candidate's four counts: p1 = 1/4.
        var score = Bleu.Corpus([Pair("the the the the", "the cat")], maxOrder: 1);
        Assert.Equal(0.25, score.Precisions[0], 12);
        Assert.Equal(1.0, score.BrevityPenalty);
        Assert.Equal(25.0, score.Score, 9);
    }

    [Fact]
    public void Identical_text_scores_100_and_a_missing_order_scores_0()
    {
        Assert.Equal(100.0, Bleu.Corpus([Pair("我 们 走 吧 。", "我 们 走 吧 。")]).Score, 9);
        Assert.Equal(0.0, Bleu.Corpus([Pair("a b c", "a b c")]).Score);   // no 4-grams at all: p4 = 0
        Assert.Equal(0.0, Bleu.Corpus([Pair("", "a b")]).Score);
    }
    private static (IReadOnlyList<string>, IReadOnlyList<IReadOnlyList<string>>) Set(string candidate, params string[] references) =>
        (candidate.Split(' ', StringSplitOptions.RemoveEmptyEntries), references.Select(r => (IReadOnlyList<string>)r.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray());

    [Fact]
    public void With_several_references_a_word_is_clipped_by_its_largest_count_in_any_one()
    {
        // Papineni et al.'s example: "the" x 7 against "the cat is on the mat" (2 the) and "there is a cat on the mat" (1):
        // the count is clipped to 2, so p1 = 2/7; the references have 6 and 7 words, 7 is closest to c = 7, so BP = 1.
        var score = Bleu.Corpus([Set("the the the the the the the", "the cat is on the mat", "there is a cat on the mat")], maxOrder: 1);
        Assert.Equal(2.0 / 7, score.Precisions[0], 12);
        Assert.Equal(7, score.ReferenceLength);
        Assert.Equal(1.0, score.BrevityPenalty);
        Assert.Equal(100 * 2.0 / 7, score.Cumulative(1), 9);
    }

    [Fact]
    public void The_reference_closest_in_length_sets_the_brevity_penalty_and_cumulative_orders_stop_where_asked()
    {
        // "a b c" against "a b c d e f" (6 words) and "a b x y" (4): 4 is closest to c = 3, so BP = e^(1 - 4/3).
        // p1 = 3/3, p2 = 2/2 (ab in both, bc in the first), p3 = 1/1 (abc), p4: no 4-gram at all, so BLEU-4 = 0
        // while BLEU-3 = BP · (1 · 1 · 1)^(1/3) = e^(-1/3).
        var score = Bleu.Corpus([Set("a b c", "a b c d e f", "a b x y")]);
        Assert.Equal(4, score.ReferenceLength);
        Assert.Equal(Math.Exp(-1.0 / 3), score.BrevityPenalty, 12);
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 0.0 }, score.Precisions);
        Assert.Equal(0.0, score.Score);
        Assert.Equal(100 * Math.Exp(-1.0 / 3), score.Cumulative(3), 9);
        Assert.Equal(100 * Math.Exp(-1.0 / 3), score.Cumulative(1), 9);
        // A tie in length (4 and 6 around c = 5) takes the shorter reference, so c > r and BP = 1.
        var tie = Bleu.Corpus([Set("a b c d e", "a b c d e f", "a b c d")], maxOrder: 1);
        Assert.Equal(4, tie.ReferenceLength);
        Assert.Equal(1.0, tie.BrevityPenalty);
    }
}
