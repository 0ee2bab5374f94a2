using RecurrentSharp.Cli.Display;
using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Cli.Reports;

/// <summary>A demo as a self-contained HTML page: its text, its tables and its charts as inline SVG.</summary>
internal static class DemoReport
{
    public static void Write(string path, DemoResult result)
    {
        var html = HtmlReport.Begin(result.Name);
        html.Append("<h1>").Append(HtmlReport.Encode(result.Title)).Append("</h1>");
        foreach (var line in result.Introduction) html.Append("<p>").Append(HtmlReport.Encode(line)).Append("</p>");
        foreach (var table in result.Tables)
        {
            html.Append("<h2>").Append(HtmlReport.Encode(table.Title)).Append("</h2><table><tr>");
            foreach (var column in table.Columns) html.Append("<th>").Append(HtmlReport.Encode(column)).Append("</th>");
            html.Append("</tr>");
            foreach (var row in table.Rows)
            {
                html.Append("<tr>");
                foreach (var cell in row) html.Append("<td>").Append(HtmlReport.Encode(DemoPrinter.Format(cell))).Append("</td>");
                html.Append("</tr>");
            }
            html.Append("</table>");
            if (table.Caption is not null) html.Append("<p><i>").Append(HtmlReport.Encode(table.Caption)).Append("</i></p>");
        }
        foreach (var chart in result.Charts)
        {
            html.Append("<h2>").Append(HtmlReport.Encode(chart.Title)).Append("</h2>");
            html.Append(HtmlReport.Chart(chart.Series, chart.XLabel, chart.YLabel, chart.LogScale, chart.X));
        }
        html.Append("<h2>What it shows</h2>");
        foreach (var line in result.Conclusions) html.Append("<p>").Append(HtmlReport.Encode(line)).Append("</p>");
        HtmlReport.Finish(path, html);
    }
}
