using System.Globalization;
using System.Text;

namespace RecurrentSharp.Data;

/// <summary>
/// A simple word tokenizer for short English texts (SMS, review snippets): lower-cases, and splits
/// on everything that is not a letter, digit or combining mark. An apostrophe between two word
/// characters stays inside the word (<c>don't</c>, <c>it's</c>, <c>rock'n'roll</c>; the typographic
/// U+2019 becomes <c>'</c>); apostrophes at a word's edge are dropped (<c>'cause</c> → <c>cause</c>).
/// With <c>keepSymbols</c>, every other character that is not white space (<c>!</c>, <c>£</c>, <c>?</c>,
/// <c>&amp;</c>) becomes a token of its own instead of being dropped: in SMS spam and reviews these carry meaning.
/// </summary>
public static class WordTokenizer
{
    /// <summary>The words of <paramref name="text"/>, lower-cased (and its symbols, one per token, with <paramref name="keepSymbols"/>).</summary>
    public static string[] Tokenize(string text, bool keepSymbols = false)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        Rune previous = default;
        bool pendingApostrophe = false;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (IsWordCharacter(rune))
            {
                if (pendingApostrophe) word.Append('\'');
                pendingApostrophe = false;
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if ((rune.Value == '\'' || rune.Value == '\u2019') && word.Length > 0 && IsWordCharacter(previous) && !pendingApostrophe)
                pendingApostrophe = true; // kept only if a word character follows
            else
            {
                Flush(words, word);
                if (keepSymbols && pendingApostrophe) words.Add("'");   // a closing quote
                pendingApostrophe = false;
                if (keepSymbols && !Rune.IsWhiteSpace(rune)) words.Add(rune.ToString());
            }
            previous = rune;
        }
        Flush(words, word);
        if (keepSymbols && pendingApostrophe) words.Add("'");
        return [.. words];
    }

    private static void Flush(List<string> words, StringBuilder word)
    {
        if (word.Length == 0) return;
        words.Add(word.ToString());
        word.Clear();
    }

    private static bool IsWordCharacter(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
