using System.Globalization;
using System.Text;
using RecurrentSharp.Formats;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A self-contained HTML page being written: the head with the shared style, then headings, paragraphs and drawn
/// parts (tables, inline SVG) appended in order; <see cref="Save"/> closes it and writes it atomically.
/// </summary>
internal sealed class HtmlPage
{
    /// <summary>
    /// The fonts of every page: Latin text first, then CJK fonts (Noto/Source Han, the Windows and macOS ones) so that
    /// Chinese output tokens render wherever the page is opened.
    /// </summary>
    public const string FontFamily = "'DejaVu Sans', Arial, 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif";

    private const string Style =
        "body{font-family:" + FontFamily + ";max-width:1000px;margin:2em auto;padding:0 1em;color:#222}" +
        "table{border-collapse:collapse;margin:0.3em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}" +
        "td.name,th.name,td.text{text-align:left}th{background:#f4f4f4}td table{margin:0;font-size:0.95em}" +
        "pre{background:#f8f8f8;padding:1em;white-space:pre-wrap;font-family:'DejaVu Sans Mono','Noto Sans Mono CJK SC',monospace;line-height:1.2}" +
        "svg{background:#fff;border:1px solid #ddd;margin:0.5em 0;display:block}figure{margin:1em 0}figcaption{font-size:0.95em;color:#444}" +
        ".gallery{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-start}.gallery figure{margin:0.5em 0}" +
        ".right{color:#1a7f37}.wrong{color:#b42318}";

    private readonly StringBuilder html = new();

    /// <summary>Opens a page titled "RecurrentSharp: <paramref name="title"/>".</summary>
    public HtmlPage(string title)
    {
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>RecurrentSharp: ").Append(Encode(title)).Append("</title>");
        html.Append("<style>").Append(Style).Append("</style></head><body>");
    }

    /// <summary>A heading (h1 for the page's title, h2 for a section, h3 below).</summary>
    public HtmlPage Heading(string text, int level = 2) => Raw($"<h{level}>{Encode(text)}</h{level}>");

    /// <summary>A paragraph of plain text.</summary>
    public HtmlPage Paragraph(string text) => Raw("<p>" + Encode(text) + "</p>");

    /// <summary>Markup as given (already encoded).</summary>
    public HtmlPage Raw(string markup)
    {
        html.Append(markup);
        return this;
    }

    /// <summary>Closes the page and writes it to <paramref name="path"/> (temporary file and rename).</summary>
    public void Save(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The whole page, closed.</summary>
    public override string ToString() => html + "</body></html>";

    /// <summary>Text made safe for HTML and SVG: the five markup characters escaped, everything else (superscripts, CJK) as itself in UTF-8.</summary>
    public static string Encode(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");

    /// <summary>A figure for reading: whole numbers whole, others to 5 significant digits, very small or large ones as 1.2346e-14.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "∞" : "−∞";
        double magnitude = Math.Abs(value);
        if (value == Math.Floor(value) && magnitude < 1e15) return value.ToString("0", CultureInfo.InvariantCulture);   // counts stay whole
        return magnitude < 1e-4 || magnitude >= 1e6
            ? value.ToString("0.####e0", CultureInfo.InvariantCulture)
            : value.ToString("G5", CultureInfo.InvariantCulture);
    }
}
