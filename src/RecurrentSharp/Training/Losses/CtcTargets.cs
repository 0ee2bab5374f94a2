namespace RecurrentSharp.Training;

/// <summary>
/// The label sequences of a CTC batch in either of PyTorch's two layouts: padded, (N, S) with row n holding
/// its labels in columns 0..S_n−1 (the rest is ignored padding), or concatenated, the sequences one after
/// another in batch order. <see cref="Lengths"/> is PyTorch's <c>target_lengths</c>.
/// </summary>
public sealed class CtcTargets
{
    private readonly int[] values;
    private readonly int[] lengths;
    private readonly int[] starts;

    private CtcTargets(int[] values, int[] lengths, int[] starts)
    {
        this.values = values;
        this.lengths = lengths;
        this.starts = starts;
    }

    /// <summary>The number of sequences N.</summary>
    public int Count => lengths.Length;

    /// <summary>S_n for every sequence.</summary>
    public ReadOnlySpan<int> Lengths => lengths;

    /// <summary>The labels l_1..l_{S_n} of sequence <paramref name="n"/>.</summary>
    public ReadOnlySpan<int> Sequence(int n) => values.AsSpan(starts[n], lengths[n]);

    /// <summary>Padded targets: <paramref name="values"/> is (N, <paramref name="width"/>) row-major.</summary>
    public static CtcTargets Padded(ReadOnlySpan<int> values, int width, ReadOnlySpan<int> lengths)
    {
        if (width < 0) throw new ArgumentOutOfRangeException(nameof(width), width, "the padded width must not be negative");
        if (values.Length != lengths.Length * width)
            throw new ArgumentException($"padded targets hold {values.Length} values, expected N·S = {lengths.Length}·{width}", nameof(values));
        var starts = new int[lengths.Length];
        for (int n = 0; n < lengths.Length; n++)
        {
            if (lengths[n] < 0 || lengths[n] > width)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[n], $"target length {lengths[n]} of sequence {n} is outside 0..{width}");
            starts[n] = n * width;
        }
        return new CtcTargets(values.ToArray(), lengths.ToArray(), starts);
    }

    /// <summary>Concatenated targets: sequence n starts at Σ_{m&lt;n} S_m; the lengths must add up to the number of values.</summary>
    public static CtcTargets Concatenated(ReadOnlySpan<int> values, ReadOnlySpan<int> lengths)
    {
        var starts = new int[lengths.Length];
        long total = 0;
        for (int n = 0; n < lengths.Length; n++)
        {
            if (lengths[n] < 0) throw new ArgumentOutOfRangeException(nameof(lengths), lengths[n], $"target length of sequence {n} is negative");
            starts[n] = (int)Math.Min(total, int.MaxValue);
            total += lengths[n];
        }
        if (total != values.Length)
            throw new ArgumentException($"concatenated targets hold {values.Length} values but the target lengths add up to {total}", nameof(values));
        return new CtcTargets(values.ToArray(), lengths.ToArray(), starts);
    }

    /// <summary>Concatenates the given label sequences.</summary>
    public static CtcTargets FromSequences(IReadOnlyList<int[]> sequences)
    {
        var lengths = new int[sequences.Count];
        var all = new List<int>();
        for (int n = 0; n < sequences.Count; n++)
        {
            lengths[n] = sequences[n].Length;
            all.AddRange(sequences[n]);
        }
        return Concatenated(all.ToArray(), lengths);
    }
}
