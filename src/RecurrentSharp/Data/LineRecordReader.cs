namespace RecurrentSharp.Data;

/// <summary>
/// Parses one line into a record: returns null on success, or the reason the line is malformed.
/// </summary>
internal delegate string? LineParser<T>(string line, int lineNumber, out T record);

/// <summary>
/// The loop shared by the one-record-per-line UTF-8 formats (SMS, UCI sentences, ATIS, sentence
/// pairs): split into lines, decode each as strict UTF-8, parse it, and send every problem to a
/// <see cref="MalformedLineLog"/> (throw when strict, skip and list when lenient).
/// </summary>
internal static class LineRecordReader
{
    public static ReadResult<T> Read<T>(string path, bool strict, LineParser<T> parse)
    {
        var log = new MalformedLineLog(path, strict);
        var records = new List<T>();
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            if (!TextLines.TryDecodeUtf8(bytes.Span, out string line, out string problem))
                log.Report(lineNumber, problem);
            else if (parse(line, lineNumber, out T record) is { } malformed)
                log.Report(lineNumber, malformed);
            else
                records.Add(record);
        }
        return log.Finish(records);
    }
}
