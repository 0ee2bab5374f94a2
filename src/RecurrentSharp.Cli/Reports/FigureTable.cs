using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A run's figures as an HTML table of name and value, where a nested value is drawn as what it is: a list of
/// records as a table with a column per field, a record as a table of its fields, a list of equal-length lists
/// (e.g. a confusion matrix) as a grid, a list of plain values as a comma-separated list.
/// </summary>
internal static class FigureTable
{
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The table of <paramref name="figures"/> (each value anything JSON-serialisable).</summary>
    public static string Draw(IEnumerable<KeyValuePair<string, object?>> figures)
    {
        var html = new StringBuilder("<table><tr><th class=\"name\">name</th><th class=\"name\">value</th></tr>");
        foreach (var (name, value) in figures)
        {
            var node = value is JsonNode given ? given : JsonSerializer.SerializeToNode(value, Options);
            html.Append("<tr><td class=\"name\">").Append(HtmlPage.Encode(name)).Append("</td>").Append(Cell(node)).Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>A value as a table cell: numbers right-aligned, text and nested tables left-aligned.</summary>
    private static string Cell(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? "<td>" + Value(node) + "</td>"
            : "<td class=\"text\">" + Value(node) + "</td>";

    /// <summary>The markup of one value, nested values as tables.</summary>
    internal static string Value(JsonNode? node) => node switch
    {
        null => "—",
        JsonValue value => HtmlPage.Encode(Scalar(value)),
        JsonObject record => Record(record),
        JsonArray list when list.All(IsScalar) => HtmlPage.Encode(string.Join(", ", list.Select(item => item is null ? "—" : Scalar(item.AsValue())))),
        JsonArray list when list.All(item => item is JsonObject) => Records(list.Select(item => item!.AsObject()).ToList()),
        JsonArray list when list.All(item => item is JsonArray row && row.All(IsScalar)) => Grid(list.Select(item => item!.AsArray()).ToList()),
        JsonArray list => Items(list),
        _ => HtmlPage.Encode(node.ToJsonString()),
    };

    private static bool IsScalar(JsonNode? node) => node is null or JsonValue;

    private static string Scalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => HtmlPage.Number(value.GetValue<double>()),
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    /// <summary>A record: one row per field.</summary>
    private static string Record(JsonObject record)
    {
        var html = new StringBuilder("<table>");
        foreach (var (name, value) in record) html.Append("<tr><td class=\"name\">").Append(HtmlPage.Encode(name)).Append("</td>").Append(Cell(value)).Append("</tr>");
        return html.Append("</table>").ToString();
    }

    /// <summary>A list of records: a column per field (in order of first appearance), a row per record.</summary>
    private static string Records(List<JsonObject> records)
    {
        var columns = records.SelectMany(r => r.Select(field => field.Key)).Distinct().ToList();
        var html = new StringBuilder("<table><tr>");
        foreach (var column in columns) html.Append("<th>").Append(HtmlPage.Encode(column)).Append("</th>");
        html.Append("</tr>");
        foreach (var record in records)
        {
            html.Append("<tr>");
            foreach (var column in columns) html.Append(record.TryGetPropertyValue(column, out var value) ? Cell(value) : "<td></td>");
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>A list of lists of plain values: a grid with the row and column numbers (from 0) in its margins.</summary>
    private static string Grid(List<JsonArray> rows)
    {
        int width = rows.Max(r => r.Count);
        var html = new StringBuilder("<table><tr><th></th>");
        for (int c = 0; c < width; c++) html.Append("<th>").Append(c).Append("</th>");
        html.Append("</tr>");
        for (int r = 0; r < rows.Count; r++)
        {
            html.Append("<tr><th>").Append(r).Append("</th>");
            foreach (var value in rows[r]) html.Append(Cell(value));
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>A list of mixed values: one row each.</summary>
    private static string Items(JsonArray list)
    {
        var html = new StringBuilder("<table>");
        foreach (var item in list) html.Append("<tr>").Append(Cell(item)).Append("</tr>");
        return html.Append("</table>").ToString();
    }
}
