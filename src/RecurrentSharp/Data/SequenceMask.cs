using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data;

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
        int batch = lengths.Length;
        var mask = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, maxLength) : Tensor.Zeros(maxLength, batch);
        var data = mask.Data;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < Math.Min(lengths[b], maxLength); t++)
                data[layout == SequenceLayout.BatchFirst ? b * maxLength + t : t * batch + b] = 1f;
        return mask;
    }
}
