using RecurrentSharp.Tasks;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// A self-contained HTML page for a run (<c>--report FILE</c>): the headline figure, the other figures as (nested)
/// tables, the loss and validation-metric curves of every trained model, the gradient-norm profile of the adding
/// demo, what the model does on a few held-out examples (attention heat maps, spectrograms with the CTC best path),
/// and the console lines. Each section draws what it finds in the result and nothing when it finds nothing; a new
/// kind of section is one more entry in <see cref="Sections"/>.
/// </summary>
internal static class HtmlReport
{
    private const string GradientNorms = "grad_norms";

    /// <summary>The page's sections, in order.</summary>
    private static readonly Action<HtmlPage, TaskResult>[] Sections =
    [
        Headline,
        Figures,
        Curves,
        GradientProfile,
        AttentionHeatmap.AppendSection,
        SpectrogramView.AppendSection,
        CaptionGallery.AppendSection,
        Details,
    ];

    /// <summary>Writes the report of <paramref name="result"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, TaskResult result) => Page(result).Save(path);

    /// <summary>The report of <paramref name="result"/> as a page.</summary>
    public static HtmlPage Page(TaskResult result)
    {
        var page = new HtmlPage(result.Task);
        foreach (var section in Sections) section(page, result);
        return page;
    }

    private static void Headline(HtmlPage page, TaskResult result) =>
        page.Heading(result.Task, 1).Raw($"<p><b>{HtmlPage.Encode(result.Metric)}</b> = {HtmlPage.Number(result.Value)}</p>");

    private static void Figures(HtmlPage page, TaskResult result)
    {
        // A captioning run's samples are drawn by its gallery; the table would repeat them as text.
        bool gallery = result.Insights.OfType<Tasks.CaptionedImage>().Any();
        var figures = result.Figures.Where(f => f.Key != GradientNorms && !(gallery && f.Key == "samples")).ToList();
        if (result.ModelPath is not null) figures.Add(new("model", result.ModelPath));
        if (figures.Count > 0) page.Heading("Figures").Raw(FigureTable.Draw(figures));
    }

    private static void Curves(HtmlPage page, TaskResult result)
    {
        if (result.Histories.Count == 0) return;
        page.Heading("Training loss").Raw(LineChart.Draw(
            result.Histories.ToDictionary(h => h.Key, h => h.Value.Epochs.Select(e => e.TrainLoss).ToArray()), "epoch", "loss", log: false));
        var metrics = result.Histories.Values.SelectMany(h => h.Epochs.SelectMany(e => e.Validation.Keys)).Distinct().ToList();
        foreach (var metric in metrics)
            page.Heading("Validation " + metric).Raw(LineChart.Draw(result.Histories.ToDictionary(h => h.Key,
                h => h.Value.Epochs.Select(e => e.Validation.TryGetValue(metric, out var v) ? v : double.NaN).ToArray()), "epoch", metric, log: false));
    }

    private static void GradientProfile(HtmlPage page, TaskResult result)
    {
        if (!result.Figures.TryGetValue(GradientNorms, out var norms) || norms is not IDictionary<string, double[]> series || series.Count == 0) return;
        page.Raw("<h2>|∂loss/∂h<sub>t</sub>| at the start of training</h2>")
            .Paragraph("From the last step (left) back to the first (right), on a log scale over the whole range measured. A falling line is the vanishing gradient.");
        int steps = series.Values.Max(s => s.Length);
        page.Raw(LineChart.Draw(series.ToDictionary(s => s.Key, s => s.Value), "steps back from the last step T", "gradient norm", log: true,
            Enumerable.Range(0, steps).Select(k => (double)k).ToArray()));
    }

    private static void Details(HtmlPage page, TaskResult result)
    {
        if (result.Lines.Count > 0) page.Heading("Details").Raw("<pre>" + HtmlPage.Encode(string.Join('\n', result.Lines)) + "</pre>");
    }
}
