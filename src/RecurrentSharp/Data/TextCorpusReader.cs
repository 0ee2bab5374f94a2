using System.Text;
using System.Text.Unicode;

namespace RecurrentSharp.Data;

/// <summary>A whole UTF-8 text file, e.g. a corpus for a character-level language model.</summary>
/// <param name="FilePath">The file read.</param>
/// <param name="Text">Its content (a leading byte-order mark removed; line ends kept as they are).</param>
/// <param name="Skipped">Lines left out because they held invalid UTF-8 (lenient mode).</param>
public sealed record TextCorpus(string FilePath, string Text, IReadOnlyList<MalformedLine> Skipped);

/// <summary>Reads plain UTF-8 text files for character-level language modelling.</summary>
public static class TextCorpusReader
{
    /// <summary>
    /// Reads a UTF-8 text file. A line holding bytes that are not valid UTF-8 throws when
    /// <paramref name="strict"/>; otherwise that line (with its newline) is left out and listed.
    /// </summary>
    public static TextCorpus Read(string path, bool strict = false)
    {
        byte[] bytes = TextLines.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var log = new MalformedLineLog(path, strict);
        string text;
        if (Utf8.IsValid(bytes.AsSpan(start)))
            text = Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        else
        {
            // Slow path, only for broken files: rebuild the text line by line, leaving out bad lines.
            var builder = new StringBuilder(bytes.Length);
            foreach (var (lineNumber, line) in TextLines.Split(bytes))
            {
                if (!TextLines.TryDecodeUtf8(line.Span, out string decoded, out string reason))
                {
                    log.Report(lineNumber, reason);
                    continue;
                }
                builder.Append(decoded).Append('\n');
            }
            text = builder.ToString();
        }
        if (text.Length == 0) throw new DataFormatException(path, null, log.Skipped.Count == 0 ? "is empty" : "holds no valid UTF-8 lines");
        return new TextCorpus(path, text, log.Skipped);
    }

    /// <summary>The number of Unicode code points (<see cref="Rune"/>s) in <paramref name="text"/>; a surrogate pair counts once.</summary>
    public static int CountRunes(string text)
    {
        int count = 0;
        foreach (Rune _ in text.EnumerateRunes()) count++;
        return count;
    }
}
