using System.Globalization;
using System.Text;

namespace RecurrentSharp.Training.Metrics;

/// <summary>
/// Counts of (actual, predicted) class pairs, and the classification metrics read off them: accuracy,
/// per-class precision, recall and F1, and their macro averages (unweighted means over classes).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] counts;

    /// <summary>Creates an empty matrix for <paramref name="classes"/> classes.</summary>
    public ConfusionMatrix(int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least one class is needed.");
        Classes = classes;
        counts = new long[classes, classes];
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The number of examples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How many examples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual, predicted];

    /// <summary>Counts one example.</summary>
    public void Add(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(actual), $"Class ids must be in 0..{Classes - 1}; got actual {actual}, predicted {predicted}.");
        counts[actual, predicted]++;
        Total++;
    }

    /// <summary>Counts <paramref name="count"/> examples of class <paramref name="actual"/> predicted as <paramref name="predicted"/> (e.g. another matrix's cell).</summary>
    public void Add(int actual, int predicted, long count)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(actual), $"Class ids must be in 0..{Classes - 1}; got actual {actual}, predicted {predicted}.");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        counts[actual, predicted] += count;
        Total += count;
    }

    /// <summary>Counts many examples.</summary>
    public void AddRange(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException($"{actual.Length} labels but {predicted.Length} predictions.");
        for (int i = 0; i < actual.Length; i++) Add(actual[i], predicted[i]);
    }

    /// <summary>The fraction predicted correctly (0 when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < Classes; c++) correct += counts[c, c];
            return Total == 0 ? 0 : (double)correct / Total;
        }
    }

    /// <summary>Precision of class c: TP / (TP + FP); 0 when the class was never predicted.</summary>
    public double Precision(int c)
    {
        long predicted = 0;
        for (int a = 0; a < Classes; a++) predicted += counts[a, c];
        return predicted == 0 ? 0 : (double)counts[c, c] / predicted;
    }

    /// <summary>Recall of class c: TP / (TP + FN); 0 when the class never occurs.</summary>
    public double Recall(int c)
    {
        long actual = 0;
        for (int p = 0; p < Classes; p++) actual += counts[c, p];
        return actual == 0 ? 0 : (double)counts[c, c] / actual;
    }

    /// <summary>F1 of class c: the harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>The unweighted mean of the per-class precisions.</summary>
    public double MacroPrecision => Enumerable.Range(0, Classes).Average(Precision);

    /// <summary>The unweighted mean of the per-class recalls.</summary>
    public double MacroRecall => Enumerable.Range(0, Classes).Average(Recall);

    /// <summary>The unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1 => Enumerable.Range(0, Classes).Average(F1);

    /// <summary>The matrix as text, rows = actual, columns = predicted.</summary>
    public string Format(IReadOnlyList<string>? labels = null)
    {
        labels ??= Enumerable.Range(0, Classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int width = Math.Max(6, labels.Max(l => l.Length) + 1);
        var sb = new StringBuilder();
        sb.Append("actual\\pred".PadRight(width));
        foreach (var l in labels) sb.Append(l.PadLeft(width));
        sb.AppendLine();
        for (int a = 0; a < Classes; a++)
        {
            sb.Append(labels[a].PadRight(width));
            for (int p = 0; p < Classes; p++) sb.Append(counts[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
