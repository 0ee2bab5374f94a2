using RecurrentSharp.Nn;

namespace RecurrentSharp.Data;

/// <summary>One window of a <see cref="TruncatedBpttBatches"/> stream: inputs and next-token targets.</summary>
/// <param name="Inputs">Ids, row-major in <see cref="Shape"/>.</param>
/// <param name="Targets">The id following each input (same shape): the language-model targets.</param>
/// <param name="Length">Time steps in this window (the last window may be shorter).</param>
/// <param name="BatchSize">Parallel streams.</param>
/// <param name="Layout">(batch, time) or (time, batch).</param>
public sealed record BpttWindow(int[] Inputs, int[] Targets, int Length, int BatchSize, SequenceLayout Layout)
{
    /// <summary>[batch, time] or [time, batch].</summary>
    public int[] Shape => Layout == SequenceLayout.BatchFirst ? [BatchSize, Length] : [Length, BatchSize];
}

/// <summary>
/// Batching for a language model trained by truncated backpropagation through time over one long
/// token stream (as PyTorch's word_language_model <c>batchify</c>/<c>get_batch</c>): the stream is cut
/// into <c>batchSize</c> equal parallel streams, stream b being tokens [b·n, (b+1)·n) with
/// n = ⌊length / batchSize⌋ (the remainder is dropped). Window w covers steps [w·L, w·L + L) of every
/// stream, with targets one step ahead. Windows are meant to be visited in order, carrying the hidden
/// state from one window to the next (detached), because column b of window w+1 continues column b of window w.
/// </summary>
public sealed class TruncatedBpttBatches
{
    private readonly int[] stream;

    /// <summary>Cuts <paramref name="stream"/> into <paramref name="batchSize"/> streams and windows of <paramref name="windowLength"/> steps.</summary>
    public TruncatedBpttBatches(int[] stream, int batchSize, int windowLength)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "must be at least 1");
        if (windowLength < 1) throw new ArgumentOutOfRangeException(nameof(windowLength), "must be at least 1");
        StepsPerStream = stream.Length / batchSize;
        if (StepsPerStream < 2)
            throw new ArgumentException($"A stream of {stream.Length} tokens is too short for {batchSize} parallel streams (each needs at least 2 tokens: an input and its target).");
        this.stream = stream;
        BatchSize = batchSize;
        WindowLength = windowLength;
    }

    /// <summary>Parallel streams.</summary>
    public int BatchSize { get; }

    /// <summary>Steps per window (the truncation length of BPTT).</summary>
    public int WindowLength { get; }

    /// <summary>Tokens per parallel stream.</summary>
    public int StepsPerStream { get; }

    /// <summary>Windows per epoch: the last input step of a stream is <see cref="StepsPerStream"/> − 2 (its target is the last token).</summary>
    public int WindowCount => (StepsPerStream - 1 + WindowLength - 1) / WindowLength;

    /// <summary>Window <paramref name="index"/>: inputs stream[b][t], targets stream[b][t + 1].</summary>
    public BpttWindow Window(int index, SequenceLayout layout = SequenceLayout.TimeMajor) => Window(index, 0, BatchSize, layout);

    /// <summary>
    /// Window <paramref name="index"/> of the streams [<paramref name="firstStream"/>, <paramref name="firstStream"/> +
    /// <paramref name="streams"/>) only: one rank's share in data-parallel training, where each rank carries the
    /// state of its own streams from window to window.
    /// </summary>
    public BpttWindow Window(int index, int firstStream, int streams, SequenceLayout layout = SequenceLayout.TimeMajor)
    {
        if ((uint)index >= (uint)WindowCount) throw new ArgumentOutOfRangeException(nameof(index), $"window {index} of {WindowCount}");
        if (firstStream < 0 || streams < 0 || firstStream + streams > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(streams), $"streams [{firstStream}, {firstStream + streams}) of {BatchSize}");
        int start = index * WindowLength;
        int length = Math.Min(WindowLength, StepsPerStream - 1 - start);
        var inputs = new int[streams * length];
        var targets = new int[streams * length];
        for (int b = 0; b < streams; b++)
            for (int t = 0; t < length; t++)
            {
                int position = (firstStream + b) * StepsPerStream + start + t;
                int destination = layout == SequenceLayout.BatchFirst ? b * length + t : t * streams + b;
                inputs[destination] = stream[position];
                targets[destination] = stream[position + 1];
            }
        return new BpttWindow(inputs, targets, length, streams, layout);
    }
}
