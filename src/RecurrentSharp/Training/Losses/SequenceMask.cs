using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>Masks that mark the real (non-padding) time steps of a padded batch, for the losses' <c>mask</c> argument.</summary>
public static class SequenceMask
{
    /// <summary>
    /// 1 at step t of sequence b when t &lt; lengths[b], else 0; shape (T, B), or (B, T) when
    /// <paramref name="batchFirst"/>, with T = <paramref name="maxLength"/>.
    /// </summary>
    public static Tensor FromLengths(ReadOnlySpan<int> lengths, int maxLength, bool batchFirst = false)
    {
        if (maxLength < 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must be >= 0");
        int batch = lengths.Length;
        var mask = batchFirst ? Tensor.Zeros(batch, maxLength) : Tensor.Zeros(maxLength, batch);
        var d = mask.Data;
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 0 || lengths[b] > maxLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"length of sequence {b} is outside 0..{maxLength}");
            for (int t = 0; t < lengths[b]; t++) d[batchFirst ? b * maxLength + t : t * batch + b] = 1f;
        }
        return mask;
    }
}
