using System.Text;

namespace RecurrentSharp.Data;

/// <summary>
/// Splits one CSV line into fields (RFC 4180 within a line): fields are separated by commas; a field
/// that starts with <c>"</c> runs to the matching closing quote, with <c>""</c> standing for one quote
/// character, so it may hold commas. Quoted fields spanning several lines are not supported.
/// </summary>
internal static class CsvLine
{
    /// <summary>The fields of <paramref name="line"/>; false (and a reason) on an unterminated or misplaced quote.</summary>
    public static bool TrySplit(string line, List<string> fields, out string reason)
    {
        fields.Clear();
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            field.Clear();
            // Skip spaces before a field so that  a, "b"  still sees the quote.
            int fieldStart = i;
            while (i < line.Length && line[i] == ' ') i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        reason = $"unterminated quoted field starting at column {fieldStart + 1}";
                        return false;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != ',')
                {
                    reason = $"unexpected character '{line[i]}' after a quoted field at column {i + 1}";
                    return false;
                }
            }
            else
            {
                i = fieldStart;
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        reason = $"quote inside an unquoted field at column {i + 1}";
                        return false;
                    }
                    field.Append(line[i++]);
                }
            }
            fields.Add(field.ToString());
            if (i >= line.Length) break;
            i++; // the comma
        }
        reason = "";
        return true;
    }
}
