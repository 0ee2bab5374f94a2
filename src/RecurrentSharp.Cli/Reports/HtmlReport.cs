using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tasks;
using RecurrentSharp.Training;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A self-contained HTML page for a run: the loss and validation-metric curves of every trained model as
/// inline SVG, the gradient-norm profile of the demo, the final figures and the console lines.
/// </summary>
internal static class HtmlReport
{
    private static readonly string[] Colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static void Write(string path, TaskResult result)
    {
        var html = Begin(result.Task);
        html.Append("<h1>").Append(Encode(result.Task)).Append("</h1>");
        html.Append("<p><b>").Append(Encode(result.Metric)).Append("</b> = ").Append(Format(result.Value)).Append("</p>");

        html.Append("<h2>Figures</h2><table><tr><th>name</th><th>value</th></tr>");
        foreach (var (key, value) in result.Figures.Where(f => f.Key is not "grad_norms"))
            html.Append("<tr><td style=\"text-align:left\">").Append(Encode(key)).Append("</td><td style=\"text-align:left\">")
                .Append(Encode(value is double d ? Format(d) : JsonSerializer.Serialize(value))).Append("</td></tr>");
        html.Append("</table>");

        if (result.Histories.Count > 0)
        {
            html.Append("<h2>Training loss</h2>");
            html.Append(Chart(result.Histories.ToDictionary(h => h.Key, h => h.Value.Epochs.Select(e => e.TrainLoss).ToArray()), "epoch", "loss", log: false));
            var metricNames = result.Histories.Values.SelectMany(h => h.Epochs.SelectMany(e => e.Validation.Keys)).Distinct().ToList();
            foreach (var metric in metricNames)
            {
                html.Append("<h2>Validation ").Append(Encode(metric)).Append("</h2>");
                html.Append(Chart(result.Histories.ToDictionary(h => h.Key,
                    h => h.Value.Epochs.Select(e => e.Validation.TryGetValue(metric, out var v) ? v : double.NaN).ToArray()), "epoch", metric, log: false));
            }
        }
        if (result.Figures.TryGetValue("grad_norms", out var norms) && norms is IDictionary<string, double[]> series)
        {
            html.Append("<h2>|∂loss/∂h<sub>t</sub>| at the start of training</h2><p>From the last step (left) back to the first (right); log scale. A fading line is the vanishing gradient.</p>");
            html.Append(Chart(series.ToDictionary(s => s.Key, s => s.Value), "steps back from T", "gradient norm", log: true));
        }
        if (result.Lines.Count > 0)
            html.Append("<h2>Details</h2><pre>").Append(Encode(string.Join('\n', result.Lines))).Append("</pre>");
        Finish(path, html);
    }

    /// <summary>The start of a page: the document head with the shared style, and the open body.</summary>
    internal static StringBuilder Begin(string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>RecurrentSharp: ").Append(Encode(title)).Append("</title>");
        html.Append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}pre{background:#f8f8f8;padding:1em;overflow-x:auto}svg{background:#fff;border:1px solid #ddd;margin:0.5em 0}</style></head><body>");
        return html;
    }

    /// <summary>Closes the page and writes it to <paramref name="path"/> atomically.</summary>
    internal static void Finish(string path, StringBuilder html)
    {
        html.Append("</body></html>");
        AtomicFile.Write(path, stream =>
        {
            var bytes = Encoding.UTF8.GetBytes(html.ToString());
            stream.Write(bytes);
        });
    }

    /// <summary>
    /// A line chart of several series as inline SVG, over their index (1-based) or, when <paramref name="x"/> is
    /// given, over those x values (evenly spaced, the same for every series).
    /// </summary>
    internal static string Chart(IReadOnlyDictionary<string, double[]> series, string xLabel, string yLabel, bool log, IReadOnlyList<double>? x = null)
    {
        const int width = 800, height = 320, left = 70, right = 150, top = 20, bottom = 45;
        double Transform(double v) => log ? Math.Log10(Math.Max(v, 1e-30)) : v;
        var values = series.Values.SelectMany(v => v).Where(double.IsFinite).Where(v => !log || v > 0).Select(Transform).ToList();
        if (values.Count == 0) return "<p>(no data)</p>";
        double min = values.Min(), max = values.Max();
        if (max - min < 1e-12) { min -= 0.5; max += 0.5; }
        int n = Math.Max(2, series.Values.Max(v => v.Length));
        double X(int i) => left + (width - left - right) * i / (double)(n - 1);
        double Y(double v) => top + (height - top - bottom) * (1 - (Transform(v) - min) / (max - min));

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#888\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#888\"/>");
        for (int k = 0; k <= 4; k++)
        {
            double v = min + (max - min) * k / 4;
            double y = top + (height - top - bottom) * (1 - k / 4.0);
            string text = log ? "1e" + v.ToString("F1", CultureInfo.InvariantCulture) : Format(v);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{text}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#eee\"/>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">{Encode(xLabel)} ({(x is null ? $"1..{n}" : $"{Format(x[0])}..{Format(x[^1])}")})</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(top + height - bottom) / 2}\" transform=\"rotate(-90 14 {(top + height - bottom) / 2})\" text-anchor=\"middle\">{Encode(yLabel)}</text>");
        int c = 0;
        foreach (var (name, points) in series)
        {
            string color = Colors[c % Colors.Length];
            var path = new StringBuilder();
            for (int i = 0; i < points.Length; i++)
            {
                if (!double.IsFinite(points[i]) || (log && points[i] <= 0)) continue;
                path.Append(path.Length == 0 ? "M" : "L").Append(X(i).ToString("F1", CultureInfo.InvariantCulture)).Append(',').Append(Y(points[i]).ToString("F1", CultureInfo.InvariantCulture));
            }
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right + 10}\" y=\"{top + 16 * (c + 1)}\" fill=\"{color}\">{Encode(name)}</text>");
            c++;
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    internal static string Format(double v) => v.ToString("G5", CultureInfo.InvariantCulture);

    internal static string Encode(string s) => WebUtility.HtmlEncode(s);
}
