using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data;

/// <summary>
/// A batch of integer sequences (token ids, tag ids) of different lengths, padded to the longest:
/// the ids for an embedding lookup (<c>Embedding.Forward(Ids, Shape)</c>), the true lengths, and a mask.
/// </summary>
public sealed class PaddedSequences
{
    private PaddedSequences(int[] ids, int[] lengths, int maxLength, SequenceLayout layout)
    {
        Ids = ids;
        Lengths = lengths;
        MaxLength = maxLength;
        Layout = layout;
    }

    /// <summary>The ids, row-major in <see cref="Shape"/>; padding positions hold the pad value.</summary>
    public int[] Ids { get; }

    /// <summary>The unpadded length of each sequence, in batch order.</summary>
    public int[] Lengths { get; }

    /// <summary>The number of sequences.</summary>
    public int BatchSize => Lengths.Length;

    /// <summary>The padded length (the longest sequence, or the cut length).</summary>
    public int MaxLength { get; }

    /// <summary>Whether <see cref="Ids"/> is (batch, time) or (time, batch).</summary>
    public SequenceLayout Layout { get; }

    /// <summary>[batch, time] or [time, batch], as given by <see cref="Layout"/>.</summary>
    public int[] Shape => Layout == SequenceLayout.BatchFirst ? [BatchSize, MaxLength] : [MaxLength, BatchSize];

    /// <summary>The id of sequence <paramref name="b"/> at step <paramref name="t"/>.</summary>
    public int this[int b, int t] => Ids[Layout == SequenceLayout.BatchFirst ? b * MaxLength + t : t * BatchSize + b];

    /// <summary>The 1/0 float mask of valid steps, in <see cref="Shape"/>.</summary>
    public Tensor Mask() => SequenceMask.FromLengths(Lengths, MaxLength, Layout);

    /// <summary>
    /// Pads <c>sequences[indices[0]]</c>, <c>sequences[indices[1]]</c>, … with <paramref name="padValue"/>
    /// (<see cref="Vocabulary.PadId"/> = 0 by default). Sequences longer than <paramref name="maxLength"/>
    /// are cut to their first <paramref name="maxLength"/> ids. An empty sequence keeps length 0 (the mask
    /// row is all zero; a classifier reading the last valid step must treat it specially).
    /// </summary>
    public static PaddedSequences Pad(IReadOnlyList<int[]> sequences, ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst, int padValue = Vocabulary.PadId, int? maxLength = null)
    {
        int batch = indices.Length;
        var lengths = new int[batch];
        int longest = 0;
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = Math.Min(sequences[indices[b]].Length, maxLength ?? int.MaxValue);
            longest = Math.Max(longest, lengths[b]);
        }
        var ids = new int[batch * longest];
        if (padValue != 0) Array.Fill(ids, padValue);
        for (int b = 0; b < batch; b++)
        {
            int[] sequence = sequences[indices[b]];
            for (int t = 0; t < lengths[b]; t++)
                ids[layout == SequenceLayout.BatchFirst ? b * longest + t : t * batch + b] = sequence[t];
        }
        return new PaddedSequences(ids, lengths, longest, layout);
    }
}
