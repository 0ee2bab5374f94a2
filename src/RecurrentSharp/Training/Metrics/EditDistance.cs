namespace RecurrentSharp.Training.Metrics;

/// <summary>
/// Levenshtein distance (substitutions, insertions and deletions, each costing 1) and the character error
/// rate built on it: CER = Σ distance(hypothesis, reference) / Σ |reference| over a corpus.
/// </summary>
public static class EditDistance
{
    /// <summary>The fewest single-symbol edits that turn <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    /// <remarks>
    /// <code>
    /// D[i, 0] = i,  D[0, j] = j,
    /// D[i, j] = min(D[i−1, j] + 1, D[i, j−1] + 1, D[i−1, j−1] + [h_i ≠ r_j])        (two rows kept)
    /// </code>
    /// </remarks>
    public static int Between<T>(ReadOnlySpan<T> hypothesis, ReadOnlySpan<T> reference) where T : IEquatable<T>
    {
        var previous = new int[reference.Length + 1];
        var current = new int[reference.Length + 1];
        for (int j = 0; j <= reference.Length; j++) previous[j] = j;
        for (int i = 1; i <= hypothesis.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= reference.Length; j++)
            {
                int substitute = previous[j - 1] + (hypothesis[i - 1].Equals(reference[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[reference.Length];
    }

    /// <summary>Σ distance / Σ |reference| over pairs (hypothesis, reference); 0 for an empty corpus of empty references.</summary>
    public static double CharacterErrorRate(IEnumerable<(string Hypothesis, string Reference)> pairs)
    {
        long edits = 0, length = 0;
        foreach (var (h, r) in pairs)
        {
            edits += Between<char>(h, r);
            length += r.Length;
        }
        return length == 0 ? 0 : (double)edits / length;
    }
}
