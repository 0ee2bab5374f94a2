namespace RecurrentSharp.Data;

/// <summary>
/// Reads the UCI "Sentiment Labelled Sentences" format (Kotzias et al. 2015; <c>imdb_labelled.txt</c>,
/// <c>amazon_cells_labelled.txt</c>, <c>yelp_labelled.txt</c>): UTF-8, <c>sentence&lt;TAB&gt;label</c>,
/// label 0 (negative) or 1 (positive).
/// </summary>
/// <remarks>
/// Lines are cut on <c>'\n'</c> only (two IMDB sentences hold U+0085 NEL) and at the LAST TAB, and
/// double quotes are ordinary characters: these files are not CSV, and a quote-aware reader merges lines.
/// </remarks>
public static class LabelledSentencesReader
{
    /// <summary>The class names by label index: 0 = negative, 1 = positive (the same order as <see cref="RtPolarityReader.LabelNames"/>).</summary>
    public static readonly IReadOnlyList<string> LabelNames = RtPolarityReader.LabelNames;

    /// <summary>Reads every sentence; malformed lines throw when <paramref name="strict"/>, else are skipped and listed.</summary>
    public static ReadResult<LabeledText> Read(string path, bool strict = false) => LineRecordReader.Read<LabeledText>(path, strict, Parse);

    private static string? Parse(string line, int lineNumber, out LabeledText record)
    {
        record = null!;
        int tab = line.LastIndexOf('\t');
        if (tab < 0)
            return line.Length == 0 ? "empty line" : "no TAB before the label (expected 'sentence<TAB>0' or 'sentence<TAB>1')";
        string label = line[(tab + 1)..].Trim();
        if (label != "0" && label != "1") return $"label '{MalformedLineLog.Shorten(label)}' is neither 0 nor 1";
        string sentence = line[..tab];
        if (string.IsNullOrWhiteSpace(sentence)) return "empty sentence";
        record = new LabeledText(sentence, label[0] - '0', lineNumber);
        return null;
    }
}
