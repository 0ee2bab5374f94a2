namespace RecurrentSharp.Data;

/// <summary>
/// Reads the SMS Spam Collection v.1 (Almeida, Gómez Hidalgo, Yamakami 2011): UTF-8, one message per
/// line, <c>label&lt;TAB&gt;text</c>, label <c>ham</c> or <c>spam</c>, no header. The text is kept as is
/// (it holds HTML entities such as <c>&amp;lt;</c> from the original collection).
/// </summary>
public static class SmsSpamReader
{
    /// <summary>The class names by label index: 0 = ham, 1 = spam.</summary>
    public static readonly IReadOnlyList<string> LabelNames = ["ham", "spam"];

    /// <summary>Reads every message; malformed lines throw when <paramref name="strict"/>, else are skipped and listed.</summary>
    public static ReadResult<LabeledText> Read(string path, bool strict = false) => LineRecordReader.Read<LabeledText>(path, strict, Parse);

    private static string? Parse(string line, int lineNumber, out LabeledText record)
    {
        record = null!;
        int tab = line.IndexOf('\t');
        if (tab < 0)
            return line.Length == 0 ? "empty line" : "no TAB between label and text (expected 'ham<TAB>text' or 'spam<TAB>text')";
        string label = line[..tab];
        int labelIndex = label == "ham" ? 0 : label == "spam" ? 1 : -1;
        if (labelIndex < 0) return $"label '{MalformedLineLog.Shorten(label)}' is neither 'ham' nor 'spam'";
        string text = line[(tab + 1)..];
        if (text.Length == 0) return "empty message text";
        record = new LabeledText(text, labelIndex, lineNumber);
        return null;
    }
}
