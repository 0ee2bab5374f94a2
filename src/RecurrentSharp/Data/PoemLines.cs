using System.Text;

namespace RecurrentSharp.Data;

/// <summary>A poem cut into its lines (no punctuation), with the poem it came from.</summary>
/// <param name="Poem">The poem as read.</param>
/// <param name="Lines">Its lines, each non-empty and at most the maximum length.</param>
public sealed record PoemText(Poem Poem, IReadOnlyList<string> Lines)
{
    /// <summary>The lines joined by '/', the form the flat autoencoder reads and BLEU scores.</summary>
    public string Joined => string.Join(PoemLines.Separator, Lines);
}

/// <summary>Poems cut into lines, with what was done to the lines that did not fit.</summary>
/// <param name="Poems">Every poem that kept at least one line.</param>
/// <param name="EmptyLines">Lines that were empty (two punctuation marks in a row, an empty paragraph) and were skipped.</param>
/// <param name="Truncated">Lines longer than the maximum length, cut to their first characters.</param>
/// <param name="EmptyPoems">Poems left without any line (skipped).</param>
public sealed record PoemLineSplit(IReadOnlyList<PoemText> Poems, int EmptyLines, int Truncated, int EmptyPoems);

/// <summary>
/// Cuts a poem's paragraphs ("寥落古行宮，宮花寂寞紅。") into lines at the sentence punctuation (，。！？；：、 and
/// their ASCII forms, and '/'): a line is a sentence of the hierarchical autoencoder, its characters the tokens.
/// Empty lines are skipped and counted; a line of more than the maximum length (in Unicode characters) is cut and counted.
/// </summary>
public static class PoemLines
{
    /// <summary>What separates lines when a poem is written on one line (the flat autoencoder's line-end token).</summary>
    public const string Separator = "/";

    private const string Breaks = "，。！？；：、,.!?;:/";

    /// <summary>Splits every poem; <paramref name="maxLength"/> is the longest line kept whole.</summary>
    public static PoemLineSplit Split(IEnumerable<Poem> poems, int maxLength)
    {
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be at least 1.");
        var result = new List<PoemText>();
        int empty = 0, truncated = 0, emptyPoems = 0;
        foreach (var poem in poems)
        {
            var lines = Lines(string.Concat(poem.Paragraphs), maxLength, ref empty, ref truncated);
            if (lines.Count == 0) emptyPoems++;
            else result.Add(new PoemText(poem, lines));
        }
        return new PoemLineSplit(result, empty, truncated, emptyPoems);
    }

    /// <summary>The lines of one text (e.g. a poem typed on the command line), cut as <see cref="Split"/> cuts them.</summary>
    public static List<string> Lines(string text, int maxLength, ref int empty, ref int truncated)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        void End(ref int empty, ref int truncated)
        {
            string piece = line.ToString().Trim();
            line.Clear();
            if (piece.Length == 0)
            {
                empty++;
                return;
            }
            var runes = piece.EnumerateRunes().ToArray();
            if (runes.Length > maxLength)
            {
                piece = string.Concat(runes.Take(maxLength).Select(r => r.ToString()));
                truncated++;
            }
            lines.Add(piece);
        }
        foreach (char ch in text.Replace("\r", "").Replace("\n", "/"))
        {
            if (Breaks.Contains(ch)) End(ref empty, ref truncated);
            else line.Append(ch);
        }
        // Text after the last mark is a line too; nothing after it is no empty line.
        if (line.ToString().Trim().Length > 0) End(ref empty, ref truncated);
        return lines;
    }
}
