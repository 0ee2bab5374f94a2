namespace RecurrentSharp.Models;

/// <summary>
/// CTC best-path decoding: the most probable class at every frame, then repeats collapsed and blanks
/// dropped ("-ss-e-vv-e-nn" → "seven"). The frame-wise path itself is <see cref="BestPath"/>.
/// </summary>
public static class CtcGreedyDecoder
{
    /// <summary>The arg-max class of each of the first <paramref name="frames"/> rows (row t at t·<paramref name="stride"/>; ties go to the lower index).</summary>
    public static int[] BestPath(ReadOnlySpan<float> logProbs, int frames, int classes, int stride)
    {
        CheckLayout(logProbs, frames, classes, stride);
        var path = new int[frames];
        for (int t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * stride, classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (row[k] > row[best]) best = k;
            path[t] = best;
        }
        return path;
    }

    /// <summary>Collapses repeats and drops blanks: the labelling a frame-wise path stands for (CTC's many-to-one map B).</summary>
    public static int[] Collapse(ReadOnlySpan<int> path, int blank)
    {
        var labels = new List<int>(path.Length);
        int previous = -1;
        foreach (int k in path)
        {
            if (k != previous && k != blank) labels.Add(k);
            previous = k;
        }
        return labels.ToArray();
    }

    /// <summary>B(best path): the labels greedy decoding reads from the log-probabilities (rows of <paramref name="classes"/> values, row t at t·<paramref name="stride"/>).</summary>
    public static int[] Decode(ReadOnlySpan<float> logProbs, int frames, int classes, int stride, int blank) =>
        Collapse(BestPath(logProbs, frames, classes, stride), blank);

    internal static void CheckLayout(ReadOnlySpan<float> logProbs, int frames, int classes, int stride)
    {
        if (frames < 0) throw new ArgumentOutOfRangeException(nameof(frames), frames, "frames must not be negative");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "there must be at least one class");
        if (stride < classes) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"the row stride must be at least the {classes} classes");
        if (frames > 0 && (long)(frames - 1) * stride + classes > logProbs.Length)
            throw new ArgumentException($"{frames} rows of {classes} classes with stride {stride} need more than the {logProbs.Length} values given", nameof(logProbs));
    }
}
