using System.Text;
using static RecurrentSharp.Cli.Reports.SvgText;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A line chart of several named series as inline SVG, on <see cref="ChartAxis"/> axes: the y axis linear or log
/// (whole decades over the data's full range), the x axis the points' x values. Few points get a dot each, so
/// that a one-epoch run still shows.
/// </summary>
internal static class LineChart
{
    private static readonly string[] Colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
    private const int Width = 820, Height = 340, Left = 72, Right = 130, Top = 16, Bottom = 48;

    /// <summary>
    /// Point i of every series is drawn at <paramref name="x"/>[i] (at i + 1 when <paramref name="x"/> is null);
    /// NaN and infinite values, and values ≤ 0 on a log axis, are left out.
    /// </summary>
    public static string Draw(IReadOnlyDictionary<string, double[]> series, string xLabel, string yLabel, bool log, IReadOnlyList<double>? x = null)
    {
        int n = series.Values.Select(v => v.Length).DefaultIfEmpty(0).Max();
        double X(int i) => x is null ? i + 1 : x[i];
        bool Shown(double v) => double.IsFinite(v) && (!log || v > 0);
        var values = series.Values.SelectMany(v => v).Where(Shown).ToList();
        if (values.Count == 0 || (x is not null && x.Count < n)) return "<p>(no data to draw)</p>";
        var xs = Enumerable.Range(0, n).Select(X).ToList();
        var xAxis = ChartAxis.Linear(xs.Min(), xs.Max(), maxTicks: 11, integers: xs.All(v => v == Math.Floor(v)));
        var yAxis = log ? ChartAxis.Logarithmic(values.Min(), values.Max()) : ChartAxis.Linear(values.Min(), values.Max());
        const double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double PixelX(double v) => Left + plotWidth * xAxis.Fraction(v);
        double PixelY(double v) => Top + plotHeight * (1 - yAxis.Fraction(v));

        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-size=\"12\">");
        foreach (var tick in yAxis.Ticks)
        {
            double y = PixelY(tick.Value);
            Append(svg, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"#e6e6e6\"/>");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{HtmlPage.Encode(tick.Label)}</text>");
        }
        foreach (var tick in xAxis.Ticks)
        {
            double px = PixelX(tick.Value);
            Append(svg, $"<line x1=\"{px:F1}\" y1=\"{Height - Bottom}\" x2=\"{px:F1}\" y2=\"{Height - Bottom + 5}\" stroke=\"#888\"/>");
            Append(svg, $"<text x=\"{px:F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{HtmlPage.Encode(tick.Label)}</text>");
        }
        Append(svg, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/>");
        Append(svg, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/>");
        Append(svg, $"<text x=\"{Left + plotWidth / 2:F1}\" y=\"{Height - 8}\" text-anchor=\"middle\">{HtmlPage.Encode(xLabel)}</text>");
        double middle = Top + plotHeight / 2;
        Append(svg, $"<text x=\"14\" y=\"{middle:F1}\" transform=\"rotate(-90 14 {middle:F1})\" text-anchor=\"middle\">{HtmlPage.Encode(yLabel)}{(log ? " (log)" : "")}</text>");

        bool dots = n <= 40;
        int c = 0;
        foreach (var (name, points) in series)
        {
            string color = Colors[c % Colors.Length];
            var path = new StringBuilder();
            for (int i = 0; i < points.Length; i++)
            {
                if (!Shown(points[i])) continue;
                Append(path, $"{(path.Length == 0 ? "M" : "L")}{PixelX(X(i)):F1},{PixelY(points[i]):F1}");
                if (dots) Append(svg, $"<circle cx=\"{PixelX(X(i)):F1}\" cy=\"{PixelY(points[i]):F1}\" r=\"2.5\" fill=\"{color}\"/>");
            }
            Append(svg, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            Append(svg, $"<line x1=\"{Width - Right + 10}\" y1=\"{Top + 18 * c + 8}\" x2=\"{Width - Right + 28}\" y2=\"{Top + 18 * c + 8}\" stroke=\"{color}\" stroke-width=\"2\"/>");
            Append(svg, $"<text x=\"{Width - Right + 34}\" y=\"{Top + 18 * c + 12}\">{HtmlPage.Encode(name)}</text>");
            c++;
        }
        return svg.Append("</svg>").ToString();
    }
}
