namespace RecurrentSharp.Training.Metrics;

/// <summary>A corpus BLEU score and its parts.</summary>
/// <param name="Score">BLEU in percent (0–100), as sacrebleu and most papers print it.</param>
/// <param name="Precisions">The modified n-gram precisions p_1 … p_N (fractions, not percent).</param>
/// <param name="BrevityPenalty">BP = 1 when the candidates are longer than the references, else e^(1 − r/c).</param>
/// <param name="CandidateLength">c: the number of candidate tokens.</param>
/// <param name="ReferenceLength">r: the number of reference tokens.</param>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, long CandidateLength, long ReferenceLength)
{
    /// <summary>BLEU-n in percent for n ≤ the order scored: BP · exp((1/n) Σ_(k ≤ n) log p_k) (BLEU-1 = BP · p_1), 0 when a p_k is 0.</summary>
    public double Cumulative(int n)
    {
        if (n < 1 || n > Precisions.Length) throw new ArgumentOutOfRangeException(nameof(n), n, $"must be 1..{Precisions.Length}");
        var first = Precisions.Take(n).ToArray();
        return first.Any(p => p == 0) ? 0 : 100 * BrevityPenalty * Math.Exp(first.Average(Math.Log));
    }
}

/// <summary>
/// Corpus-level BLEU (Papineni et al. 2002) with one reference per candidate: modified n-gram precisions
/// summed over the whole corpus (not averaged per sentence), their geometric mean, and the brevity penalty.
/// Tokens are compared as strings, so the same code scores words or characters (for Chinese targets, each
/// character is a token).
/// </summary>
/// <remarks>
/// <code>
/// p_n  = Σ_sentences Σ_(n-gram g of the candidate) min(count_cand(g), count_ref(g))   (clipped matches)
///        / Σ_sentences max(0, |cand| − n + 1)                                        (candidate n-grams)
/// BP   = 1 if c &gt; r, else exp(1 − r / c)          c = Σ |cand|, r = Σ |ref|
/// BLEU = BP · exp( (1/N) Σ_(n=1..N) log p_n )       N = 4; 0 when any p_n is 0 (no smoothing)
/// </code>
/// </remarks>
public static class Bleu
{
    /// <summary>Scores (candidate, reference) token sequences with n-grams up to <paramref name="maxOrder"/> (BLEU-4 by default).</summary>
    public static BleuScore Corpus(IEnumerable<(IReadOnlyList<string> Candidate, IReadOnlyList<string> Reference)> pairs, int maxOrder = 4) =>
        Corpus(pairs.Select(p => (p.Candidate, (IReadOnlyList<IReadOnlyList<string>>)[p.Reference])), maxOrder);

    /// <summary>
    /// Scores candidates against several references each (image captions: five per image), as Papineni et al. and
    /// coco-caption do: an n-gram's count is clipped by its largest count in any one reference, and r adds up, per
    /// candidate, the length of the reference closest in length to it (the shorter one on a tie).
    /// </summary>
    public static BleuScore Corpus(IEnumerable<(IReadOnlyList<string> Candidate, IReadOnlyList<IReadOnlyList<string>> References)> sets, int maxOrder = 4)
    {
        if (maxOrder < 1) throw new ArgumentOutOfRangeException(nameof(maxOrder), maxOrder, "must be at least 1");
        var matches = new long[maxOrder];
        var totals = new long[maxOrder];
        long candidateLength = 0, referenceLength = 0;
        foreach (var (candidate, references) in sets)
        {
            if (references.Count == 0) throw new ArgumentException("Every candidate needs at least one reference.", nameof(sets));
            candidateLength += candidate.Count;
            referenceLength += references.Select(r => r.Count).OrderBy(length => Math.Abs(length - candidate.Count)).ThenBy(length => length).First();
            for (int n = 1; n <= maxOrder; n++)
            {
                var referenceCounts = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var reference in references)
                    foreach (var (gram, count) in Count(reference, n))
                        referenceCounts[gram] = Math.Max(count, referenceCounts.GetValueOrDefault(gram));
                foreach (var (gram, count) in Count(candidate, n))
                    matches[n - 1] += Math.Min(count, referenceCounts.GetValueOrDefault(gram));   // clipped by the references
                totals[n - 1] += Math.Max(0, candidate.Count - n + 1);
            }
        }

        var precisions = new double[maxOrder];
        for (int n = 0; n < maxOrder; n++) precisions[n] = totals[n] == 0 ? 0 : (double)matches[n] / totals[n];
        double brevity = candidateLength == 0 ? 0 : candidateLength > referenceLength ? 1 : Math.Exp(1 - (double)referenceLength / candidateLength);
        double score = precisions.Any(p => p == 0) ? 0 : brevity * Math.Exp(precisions.Average(Math.Log));
        return new BleuScore(100 * score, precisions, brevity, candidateLength, referenceLength);
    }

    /// <summary>How often each n-gram occurs in <paramref name="tokens"/> (an n-gram's tokens joined by U+0001, which no token holds).</summary>
    private static Dictionary<string, int> Count(IReadOnlyList<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int start = 0; start + n <= tokens.Count; start++)
        {
            string gram = n == 1 ? tokens[start] : string.Join('\u0001', Enumerable.Range(start, n).Select(i => tokens[i]));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }
}
