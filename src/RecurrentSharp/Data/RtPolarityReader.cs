using System.Text.Unicode;

namespace RecurrentSharp.Data;

/// <summary>
/// Reads the sentence polarity dataset v1.0 (Pang and Lee 2005): <c>rt-polarity.pos</c> and
/// <c>rt-polarity.neg</c>, one lower-cased, tokenised snippet per line, the class given by the file.
/// </summary>
/// <remarks>
/// The original files are Windows-1252, not UTF-8 (0xE9 "é", 0x97 em dash, 0x85 "…"); lines are cut on
/// <c>'\n'</c> only, so byte 0x85 stays inside its snippet. A file that is valid UTF-8 with non-ASCII
/// characters (the re-encoded copies some repositories carry) is read as UTF-8 instead: a genuine
/// Windows-1252 text practically never forms valid multi-byte UTF-8 sequences.
/// </remarks>
public static class RtPolarityReader
{
    /// <summary>The class names by label index: 0 = negative, 1 = positive.</summary>
    public static readonly IReadOnlyList<string> LabelNames = ["negative", "positive"];

    /// <summary>Reads both files: the positive snippets (label 1) first, then the negative (label 0).</summary>
    public static ReadResult<LabeledText> Read(string positivePath, string negativePath, bool strict = false)
    {
        var positive = ReadFile(positivePath, 1, strict);
        var negative = ReadFile(negativePath, 0, strict);
        return new ReadResult<LabeledText>([.. positive.Records, .. negative.Records], [.. positive.Skipped, .. negative.Skipped]);
    }

    /// <summary>Reads one file, giving every snippet <paramref name="label"/>. Empty lines are malformed.</summary>
    public static ReadResult<LabeledText> ReadFile(string path, int label, bool strict = false)
    {
        byte[] bytes = TextLines.ReadAllBytes(path);
        bool isUtf8 = Utf8.IsValid(bytes);
        var log = new MalformedLineLog(path, strict);
        var records = new List<LabeledText>();
        foreach (var (lineNumber, line) in TextLines.Split(bytes))
        {
            string text = isUtf8 ? System.Text.Encoding.UTF8.GetString(line.Span) : Windows1252.Decode(line.Span);
            if (text.Trim().Length == 0)
            {
                log.Report(lineNumber, "empty line (every line should hold one snippet)");
                continue;
            }
            records.Add(new LabeledText(text, label, lineNumber));
        }
        return log.Finish(records);
    }
}
