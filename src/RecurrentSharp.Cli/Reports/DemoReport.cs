using RecurrentSharp.Cli.Display;
using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Cli.Reports;

/// <summary>A demo as a self-contained HTML page: its text, its tables and its charts as inline SVG.</summary>
internal static class DemoReport
{
    public static void Write(string path, DemoResult result)
    {
        var page = new HtmlPage(result.Name).Heading(result.Title, 1);
        foreach (var line in result.Introduction) page.Paragraph(line);
        foreach (var table in result.Tables)
        {
            page.Heading(table.Title).Raw("<table><tr>");
            foreach (var column in table.Columns) page.Raw("<th>" + HtmlPage.Encode(column) + "</th>");
            page.Raw("</tr>");
            foreach (var row in table.Rows)
            {
                page.Raw("<tr>");
                foreach (var cell in row) page.Raw(cell.Numbers is null ? "<td class=\"text\">" : "<td>").Raw(HtmlPage.Encode(DemoPrinter.Format(cell))).Raw("</td>");
                page.Raw("</tr>");
            }
            page.Raw("</table>");
            if (table.Caption is not null) page.Raw("<p><i>" + HtmlPage.Encode(table.Caption) + "</i></p>");
        }
        foreach (var chart in result.Charts)
            page.Heading(chart.Title).Raw(LineChart.Draw(chart.Series, chart.XLabel, chart.YLabel, chart.LogScale, chart.X));
        page.Heading("What it shows");
        foreach (var line in result.Conclusions) page.Paragraph(line);
        page.Save(path);
    }
}
