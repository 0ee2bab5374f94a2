namespace RecurrentSharp.Data;

/// <summary>The sentences of a plain-text file, with what was done to the lines that did not fit.</summary>
/// <param name="Sentences">Each kept line as a pair whose source and target are the same sentence.</param>
/// <param name="EmptyLines">Lines that were empty (or only white space) and were skipped.</param>
/// <param name="Truncated">Lines longer than the maximum length, cut to their first characters.</param>
/// <param name="Skipped">Lines that are not valid UTF-8 (skipped, each with its line number).</param>
public sealed record PlainSentences(IReadOnlyList<SentencePair> Sentences, int EmptyLines, int Truncated, IReadOnlyList<MalformedLine> Skipped);

/// <summary>
/// Reads one sentence per line (UTF-8, for the sequence autoencoder): empty lines are skipped and counted, a
/// line of more than <c>maxLength</c> characters (Unicode scalar values) is cut to that many and counted.
/// </summary>
public static class PlainSentenceReader
{
    /// <summary>Reads the file; a line that is not UTF-8 throws when <paramref name="strict"/>, else is skipped and listed.</summary>
    public static PlainSentences Read(string path, int maxLength, bool strict = false)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 1.");
        var sentences = new List<SentencePair>();
        var skipped = new List<MalformedLine>();
        int empty = 0, truncated = 0;
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            if (!TextLines.TryDecodeUtf8(bytes.Span, out string text, out string reason))
            {
                var bad = new MalformedLine(path, lineNumber, reason);
                if (strict) throw new DataFormatException(path, lineNumber, reason);
                skipped.Add(bad);
                continue;
            }
            text = text.Trim();
            if (text.Length == 0)
            {
                empty++;
                continue;
            }
            var runes = text.EnumerateRunes().ToArray();
            if (runes.Length > maxLength)
            {
                text = string.Concat(runes.Take(maxLength).Select(r => r.ToString()));
                truncated++;
            }
            sentences.Add(new SentencePair(text, text, lineNumber));
        }
        return new PlainSentences(sentences, empty, truncated, skipped);
    }

    /// <summary>True when the first non-empty line of the file has no TAB, i.e. it is not a sentence-pair file.</summary>
    public static bool IsPlainText(string path)
    {
        foreach (var (_, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            var span = bytes.Span.Trim((byte)' ').Trim((byte)'\r');
            if (span.Length == 0) continue;
            return span.IndexOf((byte)'\t') < 0;
        }
        return false;
    }
}
