namespace RecurrentSharp.Data;

/// <summary>A sentence and its translation, with the line they came from.</summary>
/// <param name="Source">The source sentence (English in <c>cmn.txt</c>).</param>
/// <param name="Target">The translation (Mandarin in <c>cmn.txt</c>).</param>
/// <param name="LineNumber">The 1-based line in the source file.</param>
public sealed record SentencePair(string Source, string Target, int LineNumber);

/// <summary>
/// Reads the tab-delimited bilingual sentence pairs of manythings.org / Tatoeba (e.g. <c>cmn.txt</c>):
/// UTF-8, <c>English&lt;TAB&gt;Translation</c>; the attribution third column of newer releases is ignored.
/// </summary>
public static class SentencePairReader
{
    /// <summary>Reads every pair; malformed lines throw when <paramref name="strict"/>, else are skipped and listed.</summary>
    public static ReadResult<SentencePair> Read(string path, bool strict = false)
    {
        var log = new MalformedLineLog(path, strict);
        var records = new List<SentencePair>();
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            if (!TextLines.TryDecodeUtf8(bytes.Span, out string line, out string reason))
            {
                log.Report(lineNumber, reason);
                continue;
            }
            string[] columns = line.Split('\t');
            if (columns.Length is not (2 or 3))
            {
                log.Report(lineNumber, line.Length == 0 ? "empty line" : $"expected 'source<TAB>target' (optionally a third attribution column), found {columns.Length} columns");
                continue;
            }
            string source = columns[0].Trim(), target = columns[1].Trim();
            if (source.Length == 0 || target.Length == 0)
            {
                log.Report(lineNumber, source.Length == 0 ? "empty source sentence" : "empty target sentence");
                continue;
            }
            records.Add(new SentencePair(source, target, lineNumber));
        }
        return log.Finish(records);
    }
}
