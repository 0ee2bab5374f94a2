using System.IO.Compression;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>
/// What a task's model must clearly beat, computed here from the raw data files without the library's readers:
/// the majority class, a unigram character model, the seasonal-naive forecast. A task test asserts a figure
/// well above these, so a task that stops learning fails.
/// </summary>
internal static class TrivialBaselines
{
    /// <summary>The share of the most common first field (label) among the lines of a TAB-separated file.</summary>
    public static double MajorityShareOfLabels(string path)
    {
        var labels = File.ReadLines(path).Where(l => l.Length > 0).Select(l => l.Split('\t')[0]).ToList();
        return labels.GroupBy(l => l).Max(g => g.Count()) / (double)labels.Count;
    }

    /// <summary>The share of the most common class in a file of one class label per line.</summary>
    public static double MajorityShareOfLines(string path)
    {
        var labels = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return labels.GroupBy(l => l).Max(g => g.Count()) / (double)labels.Count;
    }

    /// <summary>The share of the most common digit among MNIST's test labels (an IDX1 file, gzipped: 8 header bytes, then one byte per label).</summary>
    public static double MnistTestMajority()
    {
        using var gzip = new GZipStream(File.OpenRead(SharedFolder.Path("mnist", "t10k-labels-idx1-ubyte.gz")), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        var labels = memory.ToArray()[8..];
        return labels.GroupBy(b => b).Max(g => g.Count()) / (double)labels.Length;
    }

    /// <summary>
    /// The cross-entropy in nats per character of a unigram model (character frequencies of the first
    /// <paramref name="trainFraction"/> of <paramref name="text"/>, half a count for characters it never saw) on the rest.
    /// </summary>
    public static double UnigramNats(string text, double trainFraction)
    {
        int split = (int)(text.Length * trainFraction);
        var counts = text[..split].GroupBy(c => c).ToDictionary(g => g.Key, g => (double)g.Count());
        double total = split, sum = 0;
        foreach (char c in text[split..]) sum -= Math.Log(counts.GetValueOrDefault(c, 0.5) / total);
        return sum / (text.Length - split);
    }

    /// <summary>√(mean (y_t − y_(t−s))²) over the targets t ≥ <paramref name="firstTarget"/>: the one-step seasonal-naive forecast's RMSE.</summary>
    public static double SeasonalNaiveRmse(IReadOnlyList<double> series, int season, int firstTarget)
    {
        double sum = 0;
        for (int t = firstTarget; t < series.Count; t++) sum += Math.Pow(series[t] - series[t - season], 2);
        return Math.Sqrt(sum / (series.Count - firstTarget));
    }
}
