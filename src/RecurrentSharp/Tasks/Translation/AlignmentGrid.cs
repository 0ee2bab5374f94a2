using System.Globalization;
using System.Text;

namespace RecurrentSharp.Tasks.Translation;

/// <summary>
/// Attention weights as a text grid for the terminal: one row per output token, one column per source token
/// (in reading order), each cell the weight in percent, blank below 5% so that the alignment stands out.
/// </summary>
public static class AlignmentGrid
{
    /// <summary>
    /// <paramref name="sourceLabels"/> and each row of <paramref name="weights"/> are in the encoder's order;
    /// when <paramref name="sourceReversed"/> the encoder read the source backwards and the columns are turned
    /// back into reading order. Rows of <paramref name="weights"/> beyond <paramref name="outputLabels"/> are ignored.
    /// </summary>
    public static IEnumerable<string> Format(string input, IReadOnlyList<string> sourceLabels, IReadOnlyList<string> outputLabels,
        IReadOnlyList<float[]> weights, bool sourceReversed)
    {
        int n = sourceLabels.Count;
        int Column(int s) => sourceReversed ? n - 1 - s : s;   // reading position s -> encoder position
        var widths = Enumerable.Range(0, n).Select(s => Math.Max(3, Width(sourceLabels[Column(s)]))).ToArray();
        int labelWidth = Math.Max(5, outputLabels.Count == 0 ? 0 : outputLabels.Max(Width));

        yield return $"{input} → {string.Concat(outputLabels.Where(l => l != "<eos>"))}";
        var header = new StringBuilder(Pad("", labelWidth));
        for (int s = 0; s < n; s++) header.Append(' ').Append(Pad(sourceLabels[Column(s)], widths[s], right: true));
        yield return header.ToString();
        for (int i = 0; i < outputLabels.Count && i < weights.Count; i++)
        {
            var line = new StringBuilder(Pad(outputLabels[i], labelWidth));
            for (int s = 0; s < n; s++)
            {
                float w = weights[i][Column(s)];
                string cell = w < 0.05f ? "" : Math.Round(100 * w).ToString(CultureInfo.InvariantCulture);
                line.Append(' ').Append(Pad(cell, widths[s], right: true));
            }
            yield return line.ToString().TrimEnd();
        }
    }

    /// <summary>Terminal columns of a text: East Asian wide characters take two.</summary>
    public static int Width(string text)
    {
        int width = 0;
        foreach (var rune in text.EnumerateRunes())
            width += rune.Value is >= 0x1100 and <= 0x115F or >= 0x2E80 and <= 0xA4CF or >= 0xAC00 and <= 0xD7A3 or >= 0xF900 and <= 0xFAFF
                or >= 0xFE30 and <= 0xFE4F or >= 0xFF00 and <= 0xFF60 or >= 0xFFE0 and <= 0xFFE6 or >= 0x20000 and <= 0x3FFFD ? 2 : 1;
        return width;
    }

    private static string Pad(string text, int width, bool right = false)
    {
        var padding = new string(' ', Math.Max(0, width - Width(text)));
        return right ? padding + text : text + padding;
    }
}
