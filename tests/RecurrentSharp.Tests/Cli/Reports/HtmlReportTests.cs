using System.Text.RegularExpressions;
using RecurrentSharp.Cli.Reports;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Tests.Cli.Reports;

/// <summary>The run report's sections: nested figures as tables, the gradient profile down to 1e-14, attention heat maps, spectrograms with the CTC best path.</summary>
public class HtmlReportTests
{
    private static int Count(string html, string pattern) => Regex.Matches(html, pattern).Count;

    [Fact]
    public void Nested_results_are_tables_and_the_gradient_plot_reaches_the_smallest_norm()
    {
        var result = new TaskResult("adding", "lstm_mse", 0.15);
        result.Figures["results"] = new List<Dictionary<string, object>> { new() { ["cell"] = "rnn", ["mse"] = 0.16 } };
        result.Figures["grad_norms"] = new Dictionary<string, double[]> { ["rnn"] = [1.2, 3e-7, 8.7e-14], ["lstm"] = [1.1, 0.1, 0.05] };
        string html = HtmlReport.Page(result).ToString();
        Assert.Contains("<th>cell</th><th>mse</th>", html);
        Assert.DoesNotContain("{\"cell\"", html);
        Assert.Contains(">10⁻¹⁴</text>", html);
        Assert.DoesNotContain("1e-8", html);
        Assert.DoesNotContain("Where the decoder looked", html);
    }

    [Fact]
    public void An_attention_map_is_a_labelled_heat_map_that_can_show_chinese()
    {
        var result = new TaskResult("seq2seq", "token_accuracy", 0.5);
        // Encoder order reversed: "hungry" was read first, so its column comes back last.
        result.Insights.Add(AttentionMap.FromEncoderOrder("I'm hungry.", "我饿了。", ["hungry", "i'm"], ["我", "饿", "<eos>"],
            [[0.1f, 0.9f], [0.8f, 0.2f], [0.5f, 0.5f], [0.3f, 0.7f]], sourceReversed: true));
        var map = (AttentionMap)result.Insights[0];
        Assert.Equal(["i'm", "hungry"], map.SourceTokens);
        Assert.Equal([0.9f, 0.1f], map.Weights[0]);
        Assert.Equal(3, map.Weights.Count);   // a weight row beyond the output labels is left out

        string html = HtmlReport.Page(result).ToString();
        Assert.Contains("Where the decoder looked", html);
        Assert.Contains("Noto Sans CJK SC", html);
        Assert.Equal(3 * 2, Count(html, "<rect "));
        Assert.Matches(">i&#39;m</text>.*>hungry</text>.*>我</text>.*>饿</text>.*>&lt;eos&gt;</text>", html);
        Assert.Contains(">90</text>", html);   // 我 gave 90% to "i'm"
        Assert.Contains("I&#39;m hungry. → <b>我饿</b> (reference: 我饿了。)", html);
    }

    [Fact]
    public void A_spectrogram_is_drawn_cell_by_cell_with_the_best_path_in_runs_under_it()
    {
        var result = new TaskResult("speech", "word_accuracy", 1);
        const int frames = 6, bands = 3;
        var logMel = Enumerable.Range(0, frames * bands).Select(i => (float)i).ToArray();
        result.Insights.Add(new SpectrogramAlignment("2_theo_0.wav", logMel, frames, bands, 0.01, [null, "t", "t", "w", null, null], 1, "tw", "two"));
        string html = HtmlReport.Page(result).ToString();
        // frames × bands spectrogram cells, then the runs of the path: blank, t t, w, blank blank.
        Assert.Equal(frames * bands + 4, Count(html, "<rect "));
        Assert.Equal(2, Count(html, "fill=\"#d9d9d9\""));
        Assert.Matches(">t</text>.*>w</text>", html);
        Assert.Contains("output frames 1–2: t", html);
        Assert.Contains("heard <b class=\"wrong\">tw</b>, said <b>two</b> (wrong)", html);
        Assert.Contains("#fde725", html);   // the loudest cell is the top of the colour scale
    }

    [Fact]
    public void A_speller_draws_its_attention_map_under_the_spectrogram_one_row_per_character_on_the_time_axis()
    {
        var result = new TaskResult("speech", "word_accuracy", 1);
        const int frames = 5, bands = 2;
        var logMel = Enumerable.Range(0, frames * bands).Select(i => (float)i).ToArray();
        // a pyramidal listener: 3 frames for 5 spectrogram frames, the last pairs frame 4 with padding
        var attention = new SpellerAttention(["t", "w", "o", "⟨end⟩"], [[0.9f, 0.1f, 0f], [0f, 1f, 0f], [0f, 0.2f, 0.8f], [0f, 0f, 1f]]);
        result.Insights.Add(new SpectrogramAlignment("2_theo_0.wav", logMel, frames, bands, 0.01, [], 2, "two", "two", attention));
        string html = HtmlReport.Page(result).ToString();
        Assert.Equal(frames * bands + 4 * 3, Count(html, "<rect "));      // spectrogram cells, then 4 rows of 3 listener frames
        Assert.DoesNotContain("best path", html);
        Assert.Matches(">t</text>.*>w</text>.*>o</text>.*>⟨end⟩</text>", html);
        Assert.Contains("w ← listener frame 1: 100.0%", html);
        Assert.Contains("o ← listener frame 2: 80.0%", html);
        Assert.Contains("where the speller looked", html);
        // a listener frame is 2 spectrogram frames wide (12 px each here), the last one cut at the spectrogram's end
        Assert.Matches("<rect x=\"64.00\" y=\"[0-9.]+\" width=\"24.30\"", html);
        Assert.Matches("<rect x=\"112.00\" y=\"[0-9.]+\" width=\"12.00\"", html);
        Assert.Contains("heard <b class=\"right\">two</b>, said <b>two</b>", html);
    }
}
