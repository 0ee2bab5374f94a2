using System.Text;

namespace RecurrentSharp.Data;

/// <summary>
/// A vocabulary whose tokens are Unicode characters — code points, enumerated as <see cref="Rune"/>s,
/// so a Chinese character outside the Basic Multilingual Plane (a UTF-16 surrogate pair) is one token,
/// never two halves. Reserved ids as in <see cref="Vocabulary"/> (<c>&lt;pad&gt;</c> = 0, <c>&lt;unk&gt;</c> = 1,
/// optional <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c>); encoding goes through a code-point table, not strings.
/// </summary>
public sealed class CharacterVocabulary
{
    private readonly Dictionary<int, int> idByCodePoint = [];

    private CharacterVocabulary(Vocabulary tokens, string source)
    {
        Tokens = tokens;
        for (int id = tokens.SpecialCount; id < tokens.Count; id++)
        {
            string token = tokens.TokenOf(id);
            if (Rune.DecodeFromUtf16(token, out Rune rune, out int used) != System.Buffers.OperationStatus.Done || used != token.Length)
                throw new ModelFormatException($"{source}: character vocabulary token {id} ('{token}') is not exactly one Unicode character.");
            idByCodePoint[rune.Value] = id;
        }
    }

    /// <summary>The underlying vocabulary (tokens are one-character strings; use it for JSON or generic code).</summary>
    public Vocabulary Tokens { get; }

    /// <summary>The number of ids, reserved ones included.</summary>
    public int Count => Tokens.Count;

    /// <summary>
    /// Builds the vocabulary of the characters in <paramref name="text"/> seen at least
    /// <paramref name="minCount"/> times, most frequent first, at most <paramref name="maxSize"/> ids in all.
    /// </summary>
    public static CharacterVocabulary Build(string text, int minCount = 1, int? maxSize = null, bool withBeginEnd = false)
    {
        var countsByCodePoint = new Dictionary<int, long>();
        foreach (Rune rune in text.EnumerateRunes())
            countsByCodePoint[rune.Value] = countsByCodePoint.GetValueOrDefault(rune.Value) + 1;
        var counts = countsByCodePoint.ToDictionary(pair => new Rune(pair.Key).ToString(), pair => pair.Value, StringComparer.Ordinal);
        return new CharacterVocabulary(Vocabulary.FromCounts(counts, minCount, maxSize, withBeginEnd), "character vocabulary");
    }

    /// <summary>The id of a character, or <see cref="Vocabulary.UnknownId"/>.</summary>
    public int IdOf(Rune character) => idByCodePoint.TryGetValue(character.Value, out int id) ? id : Vocabulary.UnknownId;

    /// <summary>The character of an id (throws for reserved ids, which stand for no character).</summary>
    public Rune CharacterOf(int id) =>
        id >= Tokens.SpecialCount ? Rune.GetRuneAt(Tokens.TokenOf(id), 0) : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is a reserved token ({Tokens.TokenOf(id)}), not a character");

    /// <summary>The ids of the characters of <paramref name="text"/>, optionally wrapped in <c>&lt;bos&gt;</c> … <c>&lt;eos&gt;</c>.</summary>
    public int[] Encode(string text, bool addBegin = false, bool addEnd = false)
    {
        var result = new List<int>(text.Length + 2);
        if (addBegin) result.Add(Tokens.BeginId);
        foreach (Rune rune in text.EnumerateRunes()) result.Add(IdOf(rune));
        if (addEnd) result.Add(Tokens.EndId);
        return [.. result];
    }

    /// <summary>The text of <paramref name="ids"/>: stops at <c>&lt;eos&gt;</c>, leaves out pad and bos, writes U+FFFD for <c>&lt;unk&gt;</c>.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length);
        foreach (int id in ids)
        {
            if (Tokens.HasBeginEnd && id == Tokens.EndId) break;
            if (id == Vocabulary.PadId || (Tokens.HasBeginEnd && id == Tokens.BeginId)) continue;
            if (id == Vocabulary.UnknownId) text.Append('\uFFFD');
            else text.Append(Tokens.TokenOf(id));
        }
        return text.ToString();
    }

    /// <summary>The vocabulary as JSON (the <see cref="Vocabulary"/> format; the tokens are the characters).</summary>
    public string ToJson() => Tokens.ToJson();

    /// <summary>Reads a character vocabulary written by <see cref="ToJson"/>; throws <see cref="ModelFormatException"/> when a token is not one character.</summary>
    public static CharacterVocabulary FromJson(string json, string source = "character vocabulary JSON") =>
        new(Vocabulary.FromJson(json, source), source);
}
