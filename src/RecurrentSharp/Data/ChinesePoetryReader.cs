using System.Text;
using System.Text.Json;

namespace RecurrentSharp.Data;

/// <summary>A poem: title, author and its lines (paragraphs), with the line of the JSON file where it starts.</summary>
/// <param name="Title">The title (<c>title</c>, or <c>chapter</c> plus <c>subchapter</c> in 唐詩三百首).</param>
/// <param name="Author">The poet.</param>
/// <param name="Paragraphs">The poem's lines, e.g. "寥落古行宮，宮花寂寞紅。".</param>
/// <param name="LineNumber">The 1-based line of the JSON file where the poem's object opens.</param>
public sealed record Poem(string Title, string Author, IReadOnlyList<string> Paragraphs, int LineNumber)
{
    /// <summary>The poem's lines joined without separators.</summary>
    public string Body => string.Concat(Paragraphs);
}

/// <summary>
/// Reads the JSON files of the chinese-poetry database (JackeyGao, MIT): the arrays of
/// <c>{author, paragraphs[], title, id}</c> in <c>全唐诗/poet.tang.N.json</c> and the nested
/// <c>{title, content: [{type, content: [{chapter, subchapter, author, paragraphs[]}]}]}</c> of
/// <c>蒙学/tangshisanbaishou.json</c>. Any object with a <c>paragraphs</c> array is a poem, wherever
/// it sits under <c>content</c> arrays, so both shapes (and the other collections of the database) read alike.
/// </summary>
public static class ChinesePoetryReader
{
    /// <summary>Reads every poem; a poem without lines is malformed (throws when <paramref name="strict"/>, else skipped and listed). Broken JSON always throws.</summary>
    public static ReadResult<Poem> Read(string path, bool strict = false)
    {
        byte[] bytes = TextLines.ReadAllBytes(path);
        var walk = new Walk(bytes, new MalformedLineLog(path, strict));
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read()) throw new DataFormatException(path, null, "is empty: expected a JSON array or object");
            walk.Value(ref reader);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? 0) + 1, $"invalid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new DataFormatException(path, walk.LineOf((int)reader.TokenStartIndex), $"unexpected JSON value: {e.Message}", e);
        }
        return walk.Log.Finish(walk.Poems);
    }

    /// <summary>
    /// Training text for a character-level model: one poem per line (its lines joined), poems in the
    /// given order, each line ending with '\n'.
    /// </summary>
    public static string ToTrainingText(IEnumerable<Poem> poems)
    {
        var text = new StringBuilder();
        foreach (var poem in poems) text.Append(poem.Body).Append('\n');
        return text.ToString();
    }

    /// <summary>The walk over the JSON tokens, with the line counter for object start offsets.</summary>
    private sealed class Walk(byte[] bytes, MalformedLineLog log)
    {
        public readonly List<Poem> Poems = [];
        public readonly MalformedLineLog Log = log;
        private int countedUpTo, linesBefore;

        /// <summary>The 1-based line of a byte offset; offsets arrive in increasing order, so counting is linear overall.</summary>
        public int LineOf(int offset)
        {
            if (offset < countedUpTo) { countedUpTo = 0; linesBefore = 0; }
            linesBefore += bytes.AsSpan(countedUpTo, offset - countedUpTo).Count((byte)'\n');
            countedUpTo = offset;
            return linesBefore + 1;
        }

        /// <summary>Visits the value the reader is on (arrays and objects recursively).</summary>
        public void Value(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) Value(ref reader);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
                Object(ref reader);
        }

        private void Object(ref Utf8JsonReader reader)
        {
            int line = LineOf((int)reader.TokenStartIndex);
            string? title = null, author = null, chapter = null, subchapter = null;
            List<string>? paragraphs = null;
            string? problem = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "paragraphs":
                        paragraphs = [];
                        if (reader.TokenType != JsonTokenType.StartArray) { problem = "'paragraphs' is not an array"; reader.Skip(); break; }
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            if (reader.TokenType == JsonTokenType.String) paragraphs.Add(reader.GetString()!);
                            else { problem = "'paragraphs' holds a value that is not a string"; reader.Skip(); }
                        }
                        break;
                    case "title": title = StringOrNull(ref reader); break;
                    case "author": author = StringOrNull(ref reader); break;
                    case "chapter": chapter = StringOrNull(ref reader); break;
                    case "subchapter": subchapter = StringOrNull(ref reader); break;
                    case "content": Value(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            if (paragraphs is null)
            {
                // A poem-like object (it names an author) without lines is malformed; other objects are containers.
                if (author is not null) Log.Report(line, $"poem '{title ?? chapter}' by {author} has no 'paragraphs'");
                return;
            }
            if (problem is null && paragraphs.All(p => p.Trim().Length == 0)) problem = "poem has no text in 'paragraphs'";
            if (problem is not null)
            {
                Log.Report(line, problem);
                return;
            }
            string fullTitle = title ?? (subchapter is null ? chapter : $"{chapter} {subchapter}") ?? "";
            Poems.Add(new Poem(fullTitle, author ?? "", paragraphs, line));
        }

        private static string? StringOrNull(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String) return reader.GetString();
            reader.Skip();
            return null;
        }
    }
}
