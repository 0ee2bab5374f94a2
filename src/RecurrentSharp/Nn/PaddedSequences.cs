using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// A batch of integer sequences (token ids, tag ids) of different lengths, padded to the longest: the
/// ids for an embedding lookup (<c>Embedding.Forward(Ids, Shape)</c>), the true lengths, the layout and a
/// mask. The one padded-batch type for ids: the data floor fills it, the models read it.
/// (<see cref="PaddedVectors"/> is its twin for sequences of feature vectors.)
/// </summary>
public sealed class PaddedSequences
{
    private PaddedSequences(int[] ids, int[] lengths, int steps, SequenceLayout layout)
    {
        Ids = ids;
        Lengths = lengths;
        Steps = steps;
        Layout = layout;
    }

    /// <summary>The ids, row-major in <see cref="Shape"/>; padding positions hold the pad value.</summary>
    public int[] Ids { get; }

    /// <summary>The unpadded length of each sequence, in batch order.</summary>
    public int[] Lengths { get; }

    /// <summary>The number of sequences.</summary>
    public int Batch => Lengths.Length;

    /// <summary>The padded length (the longest sequence, or the cut length).</summary>
    public int Steps { get; }

    /// <summary>Whether <see cref="Ids"/> is (batch, time) or (time, batch).</summary>
    public SequenceLayout Layout { get; }

    /// <summary>[batch, time] or [time, batch], as given by <see cref="Layout"/>.</summary>
    public int[] Shape => Layout == SequenceLayout.BatchFirst ? [Batch, Steps] : [Steps, Batch];

    /// <summary>The id of sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    public int this[int b, int t] => Ids[Layout == SequenceLayout.BatchFirst ? b * Steps + t : t * Batch + b];

    /// <summary>Sequence <paramref name="b"/> without its padding.</summary>
    public int[] Sequence(int b)
    {
        var sequence = new int[Lengths[b]];
        for (int t = 0; t < sequence.Length; t++) sequence[t] = this[b, t];
        return sequence;
    }

    /// <summary>The 1/0 float mask of valid steps, in <see cref="Shape"/>.</summary>
    public Tensor Mask() => SequenceMask.FromLengths(Lengths, Steps, Layout);

    /// <summary>
    /// Pads every sequence (each at least one token) with <paramref name="paddingId"/> to the longest,
    /// batch first: the form the recurrent models take.
    /// </summary>
    public static PaddedSequences FromSequences(IReadOnlyList<IReadOnlyList<int>> sequences, int paddingId = 0)
    {
        if (sequences.Count == 0) throw new ArgumentException("PaddedSequences: no sequences.");
        if (sequences.Any(s => s.Count == 0)) throw new ArgumentException("PaddedSequences: every sequence needs at least one token.");
        return Pad(sequences, Enumerable.Range(0, sequences.Count).ToArray(), SequenceLayout.BatchFirst, paddingId);
    }

    /// <summary>
    /// Pads <c>sequences[indices[0]]</c>, <c>sequences[indices[1]]</c>, … with <paramref name="padValue"/>
    /// (0 by default, the vocabularies' &lt;pad&gt; id). Sequences longer than <paramref name="maxLength"/>
    /// are cut to their first <paramref name="maxLength"/> ids. An empty sequence keeps length 0 (the mask
    /// row is all zero; a classifier reading the last valid step must treat it specially).
    /// </summary>
    public static PaddedSequences Pad(IReadOnlyList<IReadOnlyList<int>> sequences, ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst, int padValue = 0, int? maxLength = null)
    {
        int batch = indices.Length;
        var lengths = new int[batch];
        int longest = 0;
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = Math.Min(sequences[indices[b]].Count, maxLength ?? int.MaxValue);
            longest = Math.Max(longest, lengths[b]);
        }
        var ids = new int[batch * longest];
        if (padValue != 0) Array.Fill(ids, padValue);
        for (int b = 0; b < batch; b++)
        {
            var sequence = sequences[indices[b]];
            for (int t = 0; t < lengths[b]; t++)
                ids[layout == SequenceLayout.BatchFirst ? b * longest + t : t * batch + b] = sequence[t];
        }
        return new PaddedSequences(ids, lengths, longest, layout);
    }
}
