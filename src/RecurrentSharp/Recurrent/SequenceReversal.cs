using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Reverses each sequence of a padded batch within its own length (padding stays where it is), as a
/// differentiable gather: the reverse direction of a <see cref="Bidirectional"/> wrapper reads the
/// reversed input and its output is reversed back the same way.
/// </summary>
public static class SequenceReversal
{
    /// <summary>
    /// Reverses x of shape (T, B, F), or (B, T, F) when <paramref name="batchFirst"/>, along time: element t
    /// of sequence b becomes element len_b - 1 - t (t &lt; len_b); padded steps are left in place.
    /// </summary>
    public static Tensor Reverse(Tensor x, int[]? lengths, bool batchFirst)
    {
        if (x.Rank != 3) throw new TensorShapeException("SequenceReversal", $"needs (T, B, F) or (B, T, F), got {TensorShape.Format(x.Shape)}");
        int steps = batchFirst ? x.Size(1) : x.Size(0), batch = batchFirst ? x.Size(0) : x.Size(1), features = x.Size(2);
        RecurrentLayer.CheckLengths(lengths, steps, batch, "SequenceReversal");
        var rows = new int[steps * batch];
        for (int b = 0; b < batch; b++)
        {
            int length = lengths?[b] ?? steps;
            for (int t = 0; t < steps; t++)
            {
                int source = t < length ? length - 1 - t : t;
                rows[Row(t, b)] = Row(source, b);
            }
        }
        return x.Reshape(steps * batch, features).IndexSelect(0, rows).Reshape(x.GetShape());

        int Row(int t, int b) => batchFirst ? b * steps + t : t * batch + b;
    }
}
