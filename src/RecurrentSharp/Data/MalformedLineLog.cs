namespace RecurrentSharp.Data;

/// <summary>
/// The one place where readers decide what a malformed line does: in strict mode it throws a
/// <see cref="DataFormatException"/> naming file and line; in lenient mode it is recorded and skipped.
/// </summary>
internal sealed class MalformedLineLog(string filePath, bool strict)
{
    private readonly List<MalformedLine> skipped = [];

    public string FilePath { get; } = filePath;

    public IReadOnlyList<MalformedLine> Skipped => skipped;

    /// <summary>Throws (strict) or records (lenient) a problem at a 1-based line.</summary>
    public void Report(int lineNumber, string reason)
    {
        if (strict) throw new DataFormatException(FilePath, lineNumber, reason);
        skipped.Add(new MalformedLine(FilePath, lineNumber, reason));
    }

    /// <summary>
    /// A file without a single valid record is an error in both modes (an empty data set would only
    /// fail later, further from the cause).
    /// </summary>
    public void ThrowIfNoRecords(int count)
    {
        if (count > 0) return;
        throw new DataFormatException(FilePath, null,
            skipped.Count == 0 ? "holds no records" : $"holds no valid records ({skipped.Count} malformed lines skipped, the first: line {skipped[0].LineNumber}: {skipped[0].Reason})");
    }

    /// <summary>Finishes a read: the records and the skipped lines, after <see cref="ThrowIfNoRecords"/>.</summary>
    public ReadResult<T> Finish<T>(List<T> records)
    {
        ThrowIfNoRecords(records.Count);
        return new ReadResult<T>(records, skipped);
    }

    /// <summary>A field cut to 40 characters for quoting in a message.</summary>
    public static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
