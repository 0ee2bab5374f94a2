using RecurrentSharp.Models;

namespace RecurrentSharp.Tests.Models.Speech;

/// <summary>The speller's beam search on a decoder given as a table of next-token probabilities, checked by hand.</summary>
public class SpellingBeamSearchTests
{
    // tokens: 0 pad, 1 begin, 2 end, 3 'a', 4 'b'
    private const int Vocabulary = 5, Begin = 1, End = 2, A = 3, B = 4;

    /// <summary>
    /// P(· | prefix) of a toy decoder: after begin, a 0.6 and b 0.4; after "a" the next is spread (a 0.35, b 0.35, end 0.3);
    /// after "b" the end is nearly sure (0.9); after any two letters the end is sure. Greedy takes a, then a (0.35, the first
    /// of two equal best), then end: P("aa") = 0.6·0.35·1 = 0.21. A wider beam also keeps "b" and finds P("b") = 0.4·0.9 = 0.36.
    /// </summary>
    private static double[] Next(IReadOnlyList<int> prefix) => prefix.Count switch
    {
        0 => [0, 0, 0, 0.6, 0.4],
        1 when prefix[0] == A => [0, 0, 0.3, 0.35, 0.35],
        1 => [0, 0, 0.9, 0.05, 0.05],
        _ => [0, 0, 1, 0, 0],
    };

    /// <summary>The table as the search's step: it keeps each live hypothesis's prefix from the parents and tokens it is given.</summary>
    private static SpellingBeamSearch.NextTokenLogProbabilities Table(List<int[]> calls)
    {
        var prefixes = new List<int[]> { Array.Empty<int>() };
        return (parents, tokens) =>
        {
            calls.Add(parents);
            prefixes = parents.Select((p, i) => tokens[i] == Begin ? prefixes[p] : [.. prefixes[p], tokens[i]]).ToList();
            return prefixes.SelectMany(p => Next(p).Select(x => (float)Math.Log(x))).ToArray();
        };
    }

    [Fact]
    public void Width_one_is_greedy_and_a_wider_beam_finds_the_more_likely_spelling()
    {
        var greedy = SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 1, maxLength: 5, lengthPenalty: 0);
        Assert.Equal(new[] { A, A }, Assert.Single(greedy).Tokens);
        Assert.Equal(Math.Log(0.6 * 0.35 * 1.0), greedy[0].LogProbability, 5);

        var beam = SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 2, maxLength: 5, lengthPenalty: 0);
        // step 2 keeps b→end (0.36) and a→a (0.21); step 3 ends "aa" (0.21·1): both finished, "b" first
        Assert.Equal(new[] { B }, beam[0].Tokens);
        Assert.Equal(Math.Log(0.4 * 0.9), beam[0].LogProbability, 5);
        Assert.Equal(new[] { A, A }, beam[1].Tokens);
        Assert.True(beam[0].LogProbability > greedy[0].LogProbability);
    }

    [Fact]
    public void Length_normalisation_ranks_by_log_probability_per_token_end_included()
    {
        // Unnormalised "b" (log 0.36 = −1.02) beats "aa" (log 0.21 = −1.56); per token (2 and 3 with the end) −0.51 still
        // beats −0.52; with α = 2, −1.02/4 = −0.255 loses to −1.56/9 = −0.173.
        var beam = SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 2, maxLength: 5, lengthPenalty: 1);
        Assert.Equal(new[] { B }, beam[0].Tokens);
        Assert.Equal(Math.Log(0.36) / 2, beam[0].Score, 5);
        Assert.Equal(Math.Log(0.21) / 3, beam[1].Score, 5);
        var strong = SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 2, maxLength: 5, lengthPenalty: 2);
        Assert.Equal(new[] { A, A }, strong[0].Tokens);
        Assert.Equal(Math.Log(0.21) / 9, strong[0].Score, 5);
    }

    [Fact]
    public void The_beam_shrinks_as_hypotheses_end_and_stops_at_the_longest_spelling()
    {
        var calls = new List<int[]>();
        SpellingBeamSearch.Search(Table(calls), Vocabulary, Begin, End, width: 2, maxLength: 5, lengthPenalty: 0);
        // begin; then "a" and "b" (parents 0, 0); then "aa" alone (b ended): the third call is the last
        Assert.Equal([[0], [0, 0], [0]], calls);

        var cut = SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 1, maxLength: 1, lengthPenalty: 0);
        Assert.Equal(new[] { A }, Assert.Single(cut).Tokens);                // at the length limit without its end, as greedy stops
        Assert.Equal(Math.Log(0.6), cut[0].LogProbability, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpellingBeamSearch.Search(Table([]), Vocabulary, Begin, End, width: 0, maxLength: 5));
    }
}
