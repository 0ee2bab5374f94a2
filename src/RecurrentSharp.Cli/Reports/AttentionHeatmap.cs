using System.Text;
using RecurrentSharp.Tasks;
using static RecurrentSharp.Cli.Reports.SvgText;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// The attention weights of one decoded sentence as an inline-SVG heat map: the source tokens across the top (in
/// reading order), the output tokens down the left, each cell shaded by its weight (white 0, dark blue 1) and
/// labelled in percent from 10% up.
/// </summary>
internal static class AttentionHeatmap
{
    private const int Cell = 30, Margin = 12;

    /// <summary>The section of a report: every <see cref="AttentionMap"/> of the result, each with its sentence as the caption.</summary>
    public static void AppendSection(HtmlPage page, TaskResult result)
    {
        var maps = result.Insights.OfType<AttentionMap>().ToList();
        if (maps.Count == 0) return;
        page.Heading("Where the decoder looked");
        page.Paragraph("Each row is an output token, each column a source token; a cell's shade is the weight the decoder gave that source token " +
            "while writing that output token (each row sums to 100%, numbers in percent).");
        page.Raw("<div class=\"gallery\">");
        foreach (var map in maps)
        {
            page.Raw("<figure>").Raw(Draw(map)).Raw("<figcaption>").Raw(HtmlPage.Encode(map.Source)).Raw(" → <b>")
                .Raw(HtmlPage.Encode(string.Concat(map.OutputTokens.Where(t => t != "<eos>")))).Raw("</b>");
            if (map.Reference is not null) page.Raw(" (reference: ").Raw(HtmlPage.Encode(map.Reference)).Raw(")");
            page.Raw("</figcaption></figure>");
        }
        page.Raw("</div>");
    }

    /// <summary>The heat map of one sentence.</summary>
    public static string Draw(AttentionMap map)
    {
        int columns = map.SourceTokens.Count, rows = map.OutputTokens.Count;
        double left = Margin + Math.Max(62, map.OutputTokens.Max(Width)) + 8;   // room for the corner's "source →"
        // Source labels stand at 45°, so they take about 0.71 of their width upwards.
        double top = Margin + Math.Max(30, 0.71 * map.SourceTokens.DefaultIfEmpty("").Max(Width)) + 12;
        double width = left + columns * Cell + Margin + 40, height = top + rows * Cell + Margin;
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:F0}\" height=\"{height:F0}\" font-size=\"12\">");
        Append(svg, $"<text x=\"{left - 8:F1}\" y=\"{top - 24:F1}\" text-anchor=\"end\" fill=\"#888\">source →</text>");
        Append(svg, $"<text x=\"{left - 8:F1}\" y=\"{top - 8:F1}\" text-anchor=\"end\" fill=\"#888\">output ↓</text>");
        for (int s = 0; s < columns; s++)
        {
            double x = left + s * Cell + Cell / 2.0, y = top - 6;
            Append(svg, $"<text x=\"{x:F1}\" y=\"{y:F1}\" transform=\"rotate(-45 {x:F1} {y:F1})\">{HtmlPage.Encode(map.SourceTokens[s])}</text>");
        }
        for (int i = 0; i < rows; i++)
        {
            double y = top + i * Cell;
            Append(svg, $"<text x=\"{left - 8:F1}\" y=\"{y + Cell / 2.0 + 4:F1}\" text-anchor=\"end\">{HtmlPage.Encode(map.OutputTokens[i])}</text>");
            for (int s = 0; s < columns; s++)
            {
                double w = s < map.Weights[i].Length ? map.Weights[i][s] : 0;
                double x = left + s * Cell;
                Append(svg, $"<rect x=\"{x:F1}\" y=\"{y:F1}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{ColorScale.Blues(w)}\" stroke=\"#eee\">");
                Append(svg, $"<title>{HtmlPage.Encode(map.OutputTokens[i])} ← {HtmlPage.Encode(map.SourceTokens[s])}: {100 * w:F1}%</title></rect>");
                if (w >= 0.1)
                    Append(svg, $"<text x=\"{x + Cell / 2.0:F1}\" y=\"{y + Cell / 2.0 + 4:F1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{(w > 0.5 ? "#fff" : "#000")}\">{Math.Round(100 * w):F0}</text>");
            }
        }
        return svg.Append("</svg>").ToString();
    }
}
