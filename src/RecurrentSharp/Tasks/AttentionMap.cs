namespace RecurrentSharp.Tasks;

/// <summary>
/// The attention weights of one decoded sentence: <see cref="Weights"/>[i][s] is the weight output token i gave to
/// source token s, with the source in reading order (each row sums to 1 over the source).
/// </summary>
/// <param name="Source">The source sentence as given.</param>
/// <param name="Reference">The reference output, when there is one.</param>
/// <param name="SourceTokens">The source tokens the encoder read, in reading order (&lt;unk&gt; for unknown ones).</param>
/// <param name="OutputTokens">The decoded tokens, one per row of <see cref="Weights"/> (the last is &lt;eos&gt; when the decoder chose it).</param>
/// <param name="Weights">One row per output token, one weight per source token.</param>
public sealed record AttentionMap(string Source, string? Reference, IReadOnlyList<string> SourceTokens, IReadOnlyList<string> OutputTokens,
    IReadOnlyList<float[]> Weights) : TaskInsight
{
    /// <summary>
    /// The map of weights whose columns are in the encoder's order (<paramref name="sourceLabels"/> too): when
    /// <paramref name="sourceReversed"/> the encoder read the source backwards and the columns are turned back into
    /// reading order. Rows beyond <paramref name="outputLabels"/> are left out.
    /// </summary>
    public static AttentionMap FromEncoderOrder(string source, string? reference, IReadOnlyList<string> sourceLabels, IReadOnlyList<string> outputLabels,
        IReadOnlyList<float[]> weights, bool sourceReversed)
    {
        int rows = Math.Min(outputLabels.Count, weights.Count);
        var tokens = sourceReversed ? sourceLabels.Reverse().ToArray() : sourceLabels.ToArray();
        var reading = weights.Take(rows).Select(w => sourceReversed ? w.Reverse().ToArray() : w.ToArray()).ToArray();
        return new AttentionMap(source, reference, tokens, outputLabels.Take(rows).ToArray(), reading);
    }
}
