using System.Globalization;

namespace RecurrentSharp.Data;

/// <summary>One numeric column of a CSV file, in row order.</summary>
/// <param name="FilePath">The file read.</param>
/// <param name="ColumnName">The header of the value column.</param>
/// <param name="Values">The values, one per valid row.</param>
/// <param name="Times">The first column of each valid row (e.g. the date) when the value column is another one, else null.</param>
/// <param name="LineNumbers">The 1-based line of each value.</param>
/// <param name="Skipped">Malformed rows skipped in lenient mode (a gap in the series; a strict read throws instead).</param>
public sealed record TimeSeries(string FilePath, string ColumnName, float[] Values, string[]? Times, int[] LineNumbers, IReadOnlyList<MalformedLine> Skipped);

/// <summary>
/// Reads a numeric column from a CSV file with a header line, such as the airline passengers and
/// Melbourne temperature files (<c>"Month","Passengers"</c> / <c>"Date","Temp"</c>, quoted dates, CRLF,
/// no newline after the last row). Numbers are parsed with the invariant culture (<c>.</c> decimal point).
/// Blank lines are ignored; a row with a different field count or a value that is not a finite number
/// is malformed.
/// </summary>
public static class TimeSeriesCsvReader
{
    /// <summary>The header fields (unquoted, trimmed) of a CSV file.</summary>
    public static IReadOnlyList<string> ReadHeader(string path)
    {
        foreach (var (lineNumber, fields) in Rows(TextLines.ReadAllBytes(path), new MalformedLineLog(path, strict: true)))
            return fields.Select(f => f.Trim()).ToArray();
        throw new DataFormatException(path, null, "is empty: expected a header line");
    }

    /// <summary>
    /// Reads the column named <paramref name="columnName"/> (case-insensitive), or the last column when
    /// it is null. An unknown name throws, listing the header.
    /// </summary>
    public static TimeSeries Read(string path, string? columnName = null, bool strict = false)
    {
        var header = ReadHeader(path);
        int index = header.Count - 1;
        if (columnName is not null)
        {
            index = -1;
            for (int i = 0; i < header.Count; i++)
                if (string.Equals(header[i], columnName.Trim(), StringComparison.OrdinalIgnoreCase)) { index = i; break; }
            if (index < 0)
                throw new DataFormatException(path, 1, $"has no column '{columnName}'; the header is {string.Join(", ", header.Select(h => $"'{h}'"))}");
        }
        return Read(path, index, strict);
    }

    /// <summary>Reads the column at the 0-based <paramref name="columnIndex"/>.</summary>
    public static TimeSeries Read(string path, int columnIndex, bool strict = false)
    {
        byte[] bytes = TextLines.ReadAllBytes(path);
        var log = new MalformedLineLog(path, strict);
        string[]? header = null;
        var values = new List<float>();
        var times = new List<string>();
        var lines = new List<int>();
        foreach (var (lineNumber, fields) in Rows(bytes, log))
        {
            if (header is null)
            {
                header = fields.Select(f => f.Trim()).ToArray();
                if ((uint)columnIndex >= (uint)header.Length)
                    throw new DataFormatException(path, lineNumber, $"column index {columnIndex} is out of range: the header has {header.Length} columns ({string.Join(", ", header)})");
                continue;
            }
            if (fields.Count != header.Length)
            {
                log.Report(lineNumber, $"has {fields.Count} fields, the header has {header.Length}");
                continue;
            }
            string text = fields[columnIndex].Trim();
            if (text.Length == 0)
            {
                log.Report(lineNumber, $"missing value in column '{header[columnIndex]}'");
                continue;
            }
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                log.Report(lineNumber, $"'{MalformedLineLog.Shorten(text)}' in column '{header[columnIndex]}' is not a number");
                continue;
            }
            values.Add(value);
            times.Add(fields[0].Trim());
            lines.Add(lineNumber);
        }
        if (header is null) throw new DataFormatException(path, null, "is empty: expected a header line");
        log.ThrowIfNoRecords(values.Count);
        return new TimeSeries(path, header[columnIndex], values.ToArray(), columnIndex == 0 ? null : times.ToArray(), lines.ToArray(), log.Skipped);
    }

    /// <summary>The non-blank lines of the file split into fields; lines with broken quoting are reported to <paramref name="log"/>.</summary>
    private static IEnumerable<(int LineNumber, List<string> Fields)> Rows(byte[] bytes, MalformedLineLog log)
    {
        var fields = new List<string>();
        foreach (var (lineNumber, lineBytes) in TextLines.Split(bytes))
        {
            if (!TextLines.TryDecodeUtf8(lineBytes.Span, out string line, out string reason))
            {
                log.Report(lineNumber, reason);
                continue;
            }
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!CsvLine.TrySplit(line, fields, out reason))
            {
                log.Report(lineNumber, reason);
                continue;
            }
            yield return (lineNumber, fields);
        }
    }
}
