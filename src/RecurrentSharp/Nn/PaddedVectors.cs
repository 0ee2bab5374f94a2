using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// A batch of sequences of feature vectors of different lengths, zero-padded to the longest, as a
/// float tensor (batch, time, features) or (time, batch, features), with lengths and a mask.
/// </summary>
public sealed class PaddedVectors
{
    private PaddedVectors(Tensor values, int[] lengths, SequenceLayout layout)
    {
        Values = values;
        Lengths = lengths;
        Layout = layout;
    }

    /// <summary>The padded values: (batch, time, features) or (time, batch, features).</summary>
    public Tensor Values { get; }

    /// <summary>The unpadded length (time steps) of each sequence.</summary>
    public int[] Lengths { get; }

    /// <summary>The layout of <see cref="Values"/>.</summary>
    public SequenceLayout Layout { get; }

    /// <summary>The padded length.</summary>
    public int MaxLength => Layout == SequenceLayout.BatchFirst ? Values.Size(1) : Values.Size(0);

    /// <summary>The 1/0 mask of valid steps: (batch, time) or (time, batch).</summary>
    public Tensor Mask() => SequenceMask.FromLengths(Lengths, MaxLength, Layout);

    /// <summary>
    /// Pads the sequences at <paramref name="indices"/>; each sequence is a flat array of
    /// steps × <paramref name="featureSize"/> floats (step after step).
    /// </summary>
    public static PaddedVectors Pad(IReadOnlyList<float[]> sequences, int featureSize, ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        if (featureSize < 1) throw new ArgumentOutOfRangeException(nameof(featureSize), "must be at least 1");
        int batch = indices.Length;
        var lengths = new int[batch];
        int longest = 0;
        for (int b = 0; b < batch; b++)
        {
            float[] sequence = sequences[indices[b]];
            if (sequence.Length % featureSize != 0)
                throw new ArgumentException($"Sequence {indices[b]} has {sequence.Length} values, not a multiple of the feature size {featureSize}.");
            lengths[b] = sequence.Length / featureSize;
            longest = Math.Max(longest, lengths[b]);
        }
        var values = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, longest, featureSize) : Tensor.Zeros(longest, batch, featureSize);
        var data = values.Data;
        for (int b = 0; b < batch; b++)
        {
            float[] sequence = sequences[indices[b]];
            for (int t = 0; t < lengths[b]; t++)
            {
                int destination = (layout == SequenceLayout.BatchFirst ? b * longest + t : t * batch + b) * featureSize;
                sequence.AsSpan(t * featureSize, featureSize).CopyTo(data.Slice(destination, featureSize));
            }
        }
        return new PaddedVectors(values, lengths, layout);
    }
}
