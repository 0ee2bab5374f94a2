using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecurrentSharp.Data;

/// <summary>
/// A two-way map between tokens and integer ids, built from training data, with reserved ids:
/// <c>&lt;pad&gt;</c> = 0 (so zero-filled padding is always the pad token), <c>&lt;unk&gt;</c> = 1 for every
/// token not in the vocabulary, and optionally <c>&lt;bos&gt;</c> = 2 and <c>&lt;eos&gt;</c> = 3 for
/// sequence-to-sequence decoding. Saved with a model as JSON (<see cref="ToJson"/>).
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The padding token (id 0).</summary>
    public const string PadToken = "<pad>";

    /// <summary>The token standing for anything not in the vocabulary (id 1).</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The start-of-sequence token (id 2, when present).</summary>
    public const string BeginToken = "<bos>";

    /// <summary>The end-of-sequence token (id 3, when present).</summary>
    public const string EndToken = "<eos>";

    /// <summary>The id of <see cref="PadToken"/>.</summary>
    public const int PadId = 0;

    /// <summary>The id of <see cref="UnknownToken"/>.</summary>
    public const int UnknownId = 1;

    private const string JsonFormat = "recurrentsharp-vocabulary";

    private readonly string[] tokens;
    private readonly Dictionary<string, int> ids;

    private Vocabulary(string[] tokens, bool hasBeginEnd)
    {
        this.tokens = tokens;
        HasBeginEnd = hasBeginEnd;
        ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++)
            if (!ids.TryAdd(tokens[i], i)) throw new ArgumentException($"The token '{tokens[i]}' appears twice in the vocabulary.");
    }

    /// <summary>Whether <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c> are reserved (ids 2 and 3).</summary>
    public bool HasBeginEnd { get; }

    /// <summary>The id of <see cref="BeginToken"/>; throws when the vocabulary was built without it.</summary>
    public int BeginId => HasBeginEnd ? 2 : throw new InvalidOperationException("This vocabulary has no <bos> token; build it with withBeginEnd: true.");

    /// <summary>The id of <see cref="EndToken"/>; throws when the vocabulary was built without it.</summary>
    public int EndId => HasBeginEnd ? 3 : throw new InvalidOperationException("This vocabulary has no <eos> token; build it with withBeginEnd: true.");

    /// <summary>The number of reserved ids at the start (2, or 4 with begin/end).</summary>
    public int SpecialCount => HasBeginEnd ? 4 : 2;

    /// <summary>The number of ids (reserved ones included): the size of an embedding table or output layer.</summary>
    public int Count => tokens.Length;

    /// <summary>All tokens by id.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>
    /// Builds a vocabulary from training token sequences: tokens seen at least <paramref name="minCount"/>
    /// times, most frequent first (ties in ordinal order, so the result does not depend on input order
    /// beyond counts), cut to <paramref name="maxSize"/> ids in all (reserved ids included).
    /// </summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> sequences, int minCount = 1, int? maxSize = null, bool withBeginEnd = false)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sequence in sequences)
            foreach (string token in sequence)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        return FromCounts(counts, minCount, maxSize, withBeginEnd);
    }

    /// <summary>A vocabulary of exactly these tokens, in this order, after the reserved ones (e.g. a fixed tag set).</summary>
    public static Vocabulary FromTokens(IEnumerable<string> tokens, bool withBeginEnd = false)
    {
        var all = new List<string>(Specials(withBeginEnd));
        var seen = new HashSet<string>(all, StringComparer.Ordinal);
        foreach (string token in tokens)
            if (seen.Add(token)) all.Add(token);
        return new Vocabulary([.. all], withBeginEnd);
    }

    /// <summary>Shared by <see cref="Build"/> and <see cref="CharacterVocabulary"/>: sort counted tokens into a vocabulary.</summary>
    internal static Vocabulary FromCounts(Dictionary<string, long> counts, int minCount, int? maxSize, bool withBeginEnd)
    {
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), "must be at least 1");
        var specials = Specials(withBeginEnd);
        if (maxSize is int max && max < specials.Length)
            throw new ArgumentOutOfRangeException(nameof(maxSize), $"must leave room for the {specials.Length} reserved tokens");
        var kept = counts
            .Where(pair => pair.Value >= minCount && Array.IndexOf(specials, pair.Key) < 0)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        if (maxSize is int limit) kept = kept.Take(limit - specials.Length);
        return new Vocabulary([.. specials, .. kept], withBeginEnd);
    }

    private static string[] Specials(bool withBeginEnd) =>
        withBeginEnd ? [PadToken, UnknownToken, BeginToken, EndToken] : [PadToken, UnknownToken];

    /// <summary>The id of a token, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int IdOf(string token) => ids.TryGetValue(token, out int id) ? id : UnknownId;

    /// <summary>Whether the token has its own id.</summary>
    public bool Contains(string token) => ids.ContainsKey(token);

    /// <summary>The token of an id.</summary>
    public string TokenOf(int id) =>
        (uint)id < (uint)tokens.Length ? tokens[id] : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is outside the vocabulary of {tokens.Length} tokens");

    /// <summary>Whether an id is one of the reserved ones (pad, unk, bos, eos).</summary>
    public bool IsSpecial(int id) => id >= 0 && id < SpecialCount;

    /// <summary>The ids of <paramref name="sequence"/>, optionally wrapped in <c>&lt;bos&gt;</c> … <c>&lt;eos&gt;</c>.</summary>
    public int[] Encode(IEnumerable<string> sequence, bool addBegin = false, bool addEnd = false)
    {
        var result = new List<int>();
        if (addBegin) result.Add(BeginId);
        foreach (string token in sequence) result.Add(IdOf(token));
        if (addEnd) result.Add(EndId);
        return [.. result];
    }

    /// <summary>The tokens of <paramref name="sequence"/>, stopping at <c>&lt;eos&gt;</c> and leaving out pad and bos.</summary>
    public string[] Decode(ReadOnlySpan<int> sequence)
    {
        var result = new List<string>(sequence.Length);
        foreach (int id in sequence)
        {
            if (HasBeginEnd && id == EndId) break;
            if (id == PadId || (HasBeginEnd && id == BeginId)) continue;
            result.Add(TokenOf(id));
        }
        return [.. result];
    }

    /// <summary>The vocabulary as JSON: <c>{"format": "recurrentsharp-vocabulary", "version": 1, "beginEnd": …, "tokens": [...]}</c>.</summary>
    public string ToJson() => ToJsonNode().ToJsonString();

    internal JsonObject ToJsonNode() => new()
    {
        ["format"] = JsonFormat,
        ["version"] = 1,
        ["beginEnd"] = HasBeginEnd,
        ["tokens"] = new JsonArray([.. tokens.Select(t => JsonValue.Create(t))]),
    };

    /// <summary>
    /// Reads a vocabulary written by <see cref="ToJson"/>; <paramref name="source"/> names where the JSON
    /// came from in error messages. Throws <see cref="ModelFormatException"/> when it is not a valid vocabulary.
    /// </summary>
    public static Vocabulary FromJson(string json, string source = "vocabulary JSON")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: the vocabulary is not valid JSON ({e.Message}).", e);
        }
        return FromJsonNode(root, source);
    }

    internal static Vocabulary FromJsonNode(JsonNode? root, string source)
    {
        try
        {
            if (root is not JsonObject obj || (string?)obj["format"] != JsonFormat)
                throw new ModelFormatException($"{source}: not a RecurrentSharp vocabulary (expected \"format\": \"{JsonFormat}\").");
            if ((int?)obj["version"] != 1)
                throw new ModelFormatException($"{source}: vocabulary version {obj["version"]?.ToJsonString() ?? "(missing)"} is not supported (expected 1).");
            bool beginEnd = (bool?)obj["beginEnd"] ?? throw new ModelFormatException($"{source}: the vocabulary lacks \"beginEnd\".");
            if (obj["tokens"] is not JsonArray array)
                throw new ModelFormatException($"{source}: the vocabulary lacks its \"tokens\" array.");
            string[] tokens = array.Select((t, i) => (string?)t ?? throw new ModelFormatException($"{source}: vocabulary token {i} is not a string.")).ToArray();
            string[] specials = Specials(beginEnd);
            if (tokens.Length < specials.Length || !tokens.AsSpan(0, specials.Length).SequenceEqual(specials))
                throw new ModelFormatException($"{source}: the vocabulary must start with {string.Join(", ", specials)}.");
            var duplicate = tokens.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new ModelFormatException($"{source}: the vocabulary token '{duplicate.Key}' appears twice.");
            return new Vocabulary(tokens, beginEnd);
        }
        catch (InvalidOperationException e) // a JSON value of the wrong kind (e.g. a number where a string belongs)
        {
            throw new ModelFormatException($"{source}: malformed vocabulary ({e.Message}).", e);
        }
        catch (FormatException e)
        {
            throw new ModelFormatException($"{source}: malformed vocabulary ({e.Message}).", e);
        }
    }

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Reads a vocabulary file written by <see cref="Save"/>.</summary>
    public static Vocabulary Load(string path) => FromJson(System.Text.Encoding.UTF8.GetString(TextLines.ReadAllBytes(path)), path);
}
