namespace RecurrentSharp.Recurrent;

/// <summary>
/// A batch of token-id sequences padded to one length: <see cref="Ids"/> is (Batch, Steps) row-major,
/// <see cref="Lengths"/> the true length of each sequence.
/// </summary>
public sealed record PaddedTokens(int[] Ids, int Batch, int Steps, int[] Lengths)
{
    /// <summary>Pads <paramref name="sequences"/> (each at least one token) with <paramref name="paddingId"/> to the longest.</summary>
    public static PaddedTokens FromSequences(IReadOnlyList<IReadOnlyList<int>> sequences, int paddingId = 0)
    {
        if (sequences.Count == 0) throw new ArgumentException("PaddedTokens: no sequences.");
        int steps = sequences.Max(s => s.Count);
        if (steps == 0 || sequences.Any(s => s.Count == 0)) throw new ArgumentException("PaddedTokens: every sequence needs at least one token.");
        var ids = new int[sequences.Count * steps];
        Array.Fill(ids, paddingId);
        var lengths = new int[sequences.Count];
        for (int b = 0; b < sequences.Count; b++)
        {
            lengths[b] = sequences[b].Count;
            for (int t = 0; t < sequences[b].Count; t++) ids[b * steps + t] = sequences[b][t];
        }
        return new PaddedTokens(ids, sequences.Count, steps, lengths);
    }

    /// <summary>The token at step <paramref name="t"/> of sequence <paramref name="b"/>.</summary>
    public int this[int b, int t] => Ids[b * Steps + t];

    /// <summary>Sequence <paramref name="b"/> without its padding.</summary>
    public int[] Sequence(int b) => Ids.AsSpan(b * Steps, Lengths[b]).ToArray();
}
