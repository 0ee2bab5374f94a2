using System.Text;
using RecurrentSharp.Tasks;
using static RecurrentSharp.Cli.Reports.SvgText;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A recording as a recogniser heard it, as inline SVG: the log-mel spectrogram (time across, the lowest band at
/// the bottom), under it on the same time axis the CTC best path — which character each output frame emits, blanks
/// grey — or, for listen-attend-spell, the attention map — one row per spelled character, each listener frame
/// shaded by the weight the speller gave it —, and a time axis in seconds.
/// </summary>
internal static class SpectrogramView
{
    private const int Left = 64, Right = 16, Top = 10, BandHeight = 4, PathHeight = 22, AttentionRowHeight = 16, AxisHeight = 34, PlotWidth = 880;
    private const string BlankColor = "#d9d9d9";
    private static readonly string[] LetterColors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79"];   // none grey: grey is the blank

    /// <summary>The section of a report: every <see cref="SpectrogramAlignment"/> of the result, with what was heard and what was said.</summary>
    public static void AppendSection(HtmlPage page, TaskResult result)
    {
        var alignments = result.Insights.OfType<SpectrogramAlignment>().ToList();
        if (alignments.Count == 0) return;
        page.Heading("What the recogniser heard, frame by frame");
        if (alignments.Any(a => a.Attention is null))
            page.Paragraph("Each recording's log-mel spectrogram (brighter is more energy), and under it the CTC best path: the character the model " +
                "emits at each output frame, grey where it emits the blank. Collapsing repeats and dropping blanks gives the decoded text.");
        if (alignments.Any(a => a.Attention is not null))
            page.Paragraph("Each recording's log-mel spectrogram (brighter is more energy), and under it on the same time axis where the speller " +
                "looked: one row per character it spelled (the last, ⟨end⟩, where it chose to stop), each listener frame shaded by the weight " +
                "the speller gave it while writing that character (a row sums to 100%; darker is more).");
        page.Raw("<div class=\"gallery\">");
        foreach (var alignment in alignments)
        {
            bool right = alignment.Decoded == alignment.Truth;
            page.Raw("<figure>").Raw(Draw(alignment)).Raw("<figcaption>").Raw(HtmlPage.Encode(alignment.Recording)).Raw(": heard <b class=\"")
                .Raw(right ? "right" : "wrong").Raw("\">").Raw(HtmlPage.Encode(alignment.Decoded.Length == 0 ? "(nothing)" : alignment.Decoded)).Raw("</b>, said <b>")
                .Raw(HtmlPage.Encode(alignment.Truth)).Raw("</b>").Raw(right ? "" : " (wrong)").Raw("</figcaption></figure>");
        }
        page.Raw("</div>");
    }

    /// <summary>The spectrogram and the best path or attention map of one recording.</summary>
    public static string Draw(SpectrogramAlignment a)
    {
        double frameWidth = Math.Clamp(PlotWidth / (double)Math.Max(1, a.Frames), 1, 12);
        double plotWidth = frameWidth * a.Frames, spectrogramHeight = BandHeight * a.Bands;
        double pathTop = Top + spectrogramHeight + 4;
        double axisTop = pathTop + (a.Attention is null ? PathHeight : AttentionRowHeight * a.Attention.Tokens.Count) + 2;
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + plotWidth + Right:F0}\" height=\"{axisTop + AxisHeight:F0}\" font-size=\"11\">");

        // Shades over the loudest 2% down to the 2nd percentile, so that a few silent frames at the log floor do not wash out the rest.
        var sorted = a.LogMel.Where(float.IsFinite).Order().ToArray();
        double low = sorted.Length == 0 ? 0 : sorted[(int)(0.02 * (sorted.Length - 1))], high = sorted.Length == 0 ? 1 : sorted[^1];
        if (high <= low) high = low + 1;
        for (int t = 0; t < a.Frames; t++)
            for (int b = 0; b < a.Bands; b++)
            {
                double v = (a.LogMel[t * a.Bands + b] - low) / (high - low);
                Append(svg, $"<rect x=\"{Left + t * frameWidth:F2}\" y=\"{Top + (a.Bands - 1 - b) * BandHeight}\" width=\"{frameWidth + 0.3:F2}\" height=\"{BandHeight + 0.3:F1}\" fill=\"{ColorScale.Viridis(v)}\"/>");
            }
        Append(svg, $"<text x=\"{Left - 6}\" y=\"{Top + 10}\" text-anchor=\"end\">band {a.Bands}</text>");
        Append(svg, $"<text x=\"{Left - 6}\" y=\"{Top + spectrogramHeight:F0}\" text-anchor=\"end\">band 1</text>");
        if (a.Attention is null) DrawBestPath(svg, a, frameWidth, plotWidth, pathTop);
        else DrawAttention(svg, a.Attention, frameWidth * a.FramesPerOutput, plotWidth, pathTop);

        double seconds = a.Frames * a.HopSeconds;
        var axis = ChartAxis.Linear(0, seconds, maxTicks: Math.Max(2, (int)(plotWidth / 60)));   // a label every 60 px at most
        Append(svg, $"<line x1=\"{Left}\" y1=\"{axisTop:F1}\" x2=\"{Left + plotWidth:F1}\" y2=\"{axisTop:F1}\" stroke=\"#888\"/>");
        foreach (var tick in axis.Ticks.Where(t => t.Value <= seconds + 1e-9))
        {
            double x = Left + plotWidth * tick.Value / seconds;
            Append(svg, $"<line x1=\"{x:F1}\" y1=\"{axisTop:F1}\" x2=\"{x:F1}\" y2=\"{axisTop + 4:F1}\" stroke=\"#888\"/>");
            Append(svg, $"<text x=\"{x:F1}\" y=\"{axisTop + 16:F1}\" text-anchor=\"middle\">{HtmlPage.Encode(tick.Label)}</text>");
        }
        Append(svg, $"<text x=\"{Left - 6}\" y=\"{axisTop + 16:F1}\" text-anchor=\"end\">seconds</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The CTC best path under the spectrogram.</summary>
    private static void DrawBestPath(StringBuilder svg, SpectrogramAlignment a, double frameWidth, double plotWidth, double pathTop)
    {
        Append(svg, $"<text x=\"{Left - 6}\" y=\"{pathTop + 15:F1}\" text-anchor=\"end\">best path</text>");

        // The best path in runs of one label: a run of output frames covers FramesPerOutput spectrogram frames each.
        double outputWidth = frameWidth * a.FramesPerOutput;
        for (int start = 0; start < a.BestPath.Count;)
        {
            int end = start;
            while (end + 1 < a.BestPath.Count && a.BestPath[end + 1] == a.BestPath[start]) end++;
            var label = a.BestPath[start];
            double x = Left + start * outputWidth, width = Math.Min((end - start + 1) * outputWidth, Left + plotWidth - x);
            string color = label is null ? BlankColor : LetterColors[label[0] % LetterColors.Length];
            Append(svg, $"<rect x=\"{x:F2}\" y=\"{pathTop:F1}\" width=\"{width:F2}\" height=\"{PathHeight}\" fill=\"{color}\" stroke=\"#fff\" stroke-width=\"0.5\">");
            Append(svg, $"<title>output frames {start}–{end}: {(label is null ? "blank" : HtmlPage.Encode(label))}</title></rect>");
            if (label is not null)
                Append(svg, $"<text x=\"{x + width / 2:F2}\" y=\"{pathTop + 15:F1}\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" fill=\"#fff\">{HtmlPage.Encode(label)}</text>");
            start = end + 1;
        }
    }

    /// <summary>
    /// The speller's attention under the spectrogram: row i is output token i, listener frame s a cell of
    /// <paramref name="frameWidth"/> under the spectrogram frames it was made of, shaded by the weight (white 0, dark blue 1).
    /// </summary>
    private static void DrawAttention(StringBuilder svg, SpellerAttention attention, double frameWidth, double plotWidth, double top)
    {
        for (int i = 0; i < attention.Tokens.Count; i++)
        {
            double y = top + i * AttentionRowHeight;
            string token = HtmlPage.Encode(attention.Tokens[i]);
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{y + AttentionRowHeight - 4:F1}\" text-anchor=\"end\" font-weight=\"bold\">{token}</text>");
            var row = attention.Weights[i];
            for (int s = 0; s < row.Length; s++)
            {
                double x = Left + s * frameWidth, width = Math.Min(frameWidth + 0.3, Left + plotWidth - x);   // an odd last frame's pair is half padding
                Append(svg, $"<rect x=\"{x:F2}\" y=\"{y:F1}\" width=\"{width:F2}\" height=\"{AttentionRowHeight - 1}\" fill=\"{ColorScale.Blues(row[s])}\">");
                Append(svg, $"<title>{token} ← listener frame {s}: {100 * row[s]:F1}%</title></rect>");
            }
        }
    }
}
