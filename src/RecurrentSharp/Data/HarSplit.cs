using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Data;

/// <summary>
/// One split of UCI HAR: windows of raw inertial signals with the activity and the subject of each.
/// </summary>
public sealed class HarSplit
{
    internal HarSplit(Tensor signals, int[] labels, int[] subjects, IReadOnlyList<string> activityNames, IReadOnlyList<MalformedLine> skipped)
    {
        Signals = signals;
        Labels = labels;
        Subjects = subjects;
        ActivityNames = activityNames;
        Skipped = skipped;
    }

    /// <summary>All windows, shape (windows, 128 steps, 9 channels); channel order is <see cref="HarReader.Channels"/>.</summary>
    public Tensor Signals { get; }

    /// <summary>The activity of each window as a 0-based class index (the file's id minus 1).</summary>
    public int[] Labels { get; }

    /// <summary>The volunteer (1-30) who performed each window.</summary>
    public int[] Subjects { get; }

    /// <summary>The activity names by class index (from <c>activity_labels.txt</c>, ordered by id).</summary>
    public IReadOnlyList<string> ActivityNames { get; }

    /// <summary>Windows dropped because a line in one of their files was malformed (lenient mode).</summary>
    public IReadOnlyList<MalformedLine> Skipped { get; }

    /// <summary>The number of windows.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// The windows at <paramref name="indices"/>: (batch, 128, 9) for <see cref="SequenceLayout.BatchFirst"/>,
    /// else (128, batch, 9).
    /// </summary>
    public Tensor Batch(ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int steps = Signals.Size(1), channels = Signals.Size(2), batch = indices.Length;
        var result = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, steps, channels) : Tensor.Zeros(steps, batch, channels);
        ReadOnlySpan<float> source = Signals.Data;
        var target = result.Data;
        for (int b = 0; b < batch; b++)
        {
            var window = source.Slice(indices[b] * steps * channels, steps * channels);
            for (int t = 0; t < steps; t++)
            {
                int destination = layout == SequenceLayout.BatchFirst ? (b * steps + t) * channels : (t * batch + b) * channels;
                window.Slice(t * channels, channels).CopyTo(target.Slice(destination, channels));
            }
        }
        return result;
    }
}
