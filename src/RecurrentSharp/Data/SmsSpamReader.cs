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
    public static ReadResult<LabeledText> Read(string path, bool strict = false)
    {
        var log = new MalformedLineLog(path, strict);
        var records = new List<LabeledText>();
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            if (!TextLines.TryDecodeUtf8(bytes.Span, out string line, out string reason))
            {
                log.Report(lineNumber, reason);
                continue;
            }
            int tab = line.IndexOf('\t');
            if (tab < 0)
            {
                log.Report(lineNumber, line.Length == 0 ? "empty line" : "no TAB between label and text (expected 'ham<TAB>text' or 'spam<TAB>text')");
                continue;
            }
            string label = line[..tab];
            int labelIndex = label == "ham" ? 0 : label == "spam" ? 1 : -1;
            if (labelIndex < 0)
            {
                log.Report(lineNumber, $"label '{MalformedLineLog.Shorten(label)}' is neither 'ham' nor 'spam'");
                continue;
            }
            string text = line[(tab + 1)..];
            if (text.Length == 0)
            {
                log.Report(lineNumber, "empty message text");
                continue;
            }
            records.Add(new LabeledText(text, labelIndex, lineNumber));
        }
        return log.Finish(records);
    }
}
