using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>The 1/0 mask of valid time steps of a padded batch.</summary>
public static class SequenceMask
{
    /// <summary>
    /// mask[b, t] = 1 if t &lt; lengths[b] else 0, shaped (batch, time) for
    /// <see cref="SequenceLayout.BatchFirst"/> or (time, batch) for <see cref="SequenceLayout.TimeMajor"/>.
    /// Multiply a per-step loss by it (and divide by its sum) to ignore padding.
    /// </summary>
    public static Tensor FromLengths(ReadOnlySpan<int> lengths, int maxLength, SequenceLayout layout)
    {
        if (maxLength < 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must be >= 0");
        int batch = lengths.Length;
        var mask = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, maxLength) : Tensor.Zeros(maxLength, batch);
        var data = mask.Data;
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 0 || lengths[b] > maxLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"length of sequence {b} is outside 0..{maxLength}");
            for (int t = 0; t < lengths[b]; t++)
                data[layout == SequenceLayout.BatchFirst ? b * maxLength + t : t * batch + b] = 1f;
        }
        return mask;
    }
}
