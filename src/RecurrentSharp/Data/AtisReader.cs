namespace RecurrentSharp.Data;

/// <summary>One ATIS utterance: its words, a slot tag per word, and its intent.</summary>
/// <param name="Words">The words, without the BOS/EOS markers.</param>
/// <param name="Tags">One IOB slot tag per word (<c>O</c>, <c>B-fromloc.city_name</c>, <c>I-…</c>).</param>
/// <param name="Intent">The intent label as written, e.g. <c>atis_flight</c> or <c>atis_flight#atis_airfare</c>.</param>
/// <param name="LineNumber">The 1-based line in the source file.</param>
public sealed record AtisUtterance(string[] Words, string[] Tags, string Intent, int LineNumber)
{
    /// <summary>The intents of a multi-intent utterance (split on '#'); one entry for most utterances.</summary>
    public string[] Intents => Intent.Split('#');
}

/// <summary>
/// Reads ATIS in the IOB-with-intent format of Hakkani-Tür et al. (2016):
/// <c>BOS w1 … wn EOS&lt;TAB&gt;O t1 … tn INTENT</c> — the tag column has one entry per token including
/// BOS and EOS, <c>O</c> for BOS and the intent in the EOS position. The tag column is split on white
/// space (the first line of <c>atis.train.w-intent.iob</c> has a space after the TAB).
/// </summary>
public static class AtisReader
{
    /// <summary>Reads every utterance; malformed lines throw when <paramref name="strict"/>, else are skipped and listed.</summary>
    public static ReadResult<AtisUtterance> Read(string path, bool strict = false) => LineRecordReader.Read<AtisUtterance>(path, strict, Parse);

    private static string? Parse(string line, int lineNumber, out AtisUtterance record)
    {
        record = null!;
        string[] columns = line.Split('\t');
        if (columns.Length != 2)
            return line.Length == 0 ? "empty line" : $"expected 2 TAB-separated columns ('BOS words EOS<TAB>O tags INTENT'), found {columns.Length}";
        string[] tokens = Tokens(columns[0]);
        string[] tags = Tokens(columns[1]);
        if (Check(tokens, tags) is { } problem) return problem;
        record = new AtisUtterance(tokens[1..^1], tags[1..^1], tags[^1], lineNumber);
        return null;
    }

    private static string? Check(string[] tokens, string[] tags)
    {
        if (tokens.Length < 3 || tokens[0] != "BOS" || tokens[^1] != "EOS")
            return "the word column should be 'BOS w1 … wn EOS' with at least one word";
        if (tags.Length != tokens.Length)
            return $"{tokens.Length - 2} words but {tags.Length - 2} tags (the tag column needs one entry per token: O, a tag per word, the intent)";
        for (int i = 1; i < tags.Length - 1; i++)
            if (!IsIobTag(tags[i]))
                return $"tag '{MalformedLineLog.Shorten(tags[i])}' of word {i} ('{tokens[i]}') is not an IOB tag (O, B-…, I-…)";
        if (IsIobTag(tags[^1]))
            return $"the EOS position holds '{tags[^1]}', expected an intent label (e.g. atis_flight)";
        return null;
    }

    private static bool IsIobTag(string tag) =>
        tag == "O" || tag.StartsWith("B-", StringComparison.Ordinal) || tag.StartsWith("I-", StringComparison.Ordinal);

    private static string[] Tokens(string column) => column.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
