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
    public static ReadResult<SentencePair> Read(string path, bool strict = false) => LineRecordReader.Read<SentencePair>(path, strict, Parse);

    private static string? Parse(string line, int lineNumber, out SentencePair record)
    {
        record = null!;
        string[] columns = line.Split('\t');
        if (columns.Length is not (2 or 3))
            return line.Length == 0 ? "empty line" : $"expected 'source<TAB>target' (optionally a third attribution column), found {columns.Length} columns";
        string source = columns[0].Trim(), target = columns[1].Trim();
        if (source.Length == 0) return "empty source sentence";
        if (target.Length == 0) return "empty target sentence";
        record = new SentencePair(source, target, lineNumber);
        return null;
    }
}
