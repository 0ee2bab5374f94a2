namespace RecurrentSharp.Tests.Cli;

/// <summary><c>rnn demo</c>: the list, every demo as tables and as JSON, the HTML report, and an unknown name.</summary>
[Collection("Console")]
public class DemoCommandTests
{
    private static readonly string[] Names = ["elman-memory", "lstm-gates", "exploding", "bptt", "shapes", "vanishing"];

    [Fact]
    public void Without_a_name_it_lists_the_six_demos()
    {
        var run = CliRunner.Run("demo");
        Assert.Equal(0, run.ExitCode);
        var listed = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Take(Names.Length);
        Assert.Equal(Names, listed);
    }

    [Theory]
    [InlineData("elman-memory", "[32, 32]")]
    [InlineData("lstm-gates", "forget gate")]
    [InlineData("exploding", "20751")]
    [InlineData("bptt", "term_k")]
    [InlineData("shapes", "(5, 2, 3)")]
    [InlineData("vanishing", "rnn train")]
    public void Each_demo_prints_its_table_and_its_numbers_as_json(string name, string shown)
    {
        var table = CliRunner.Run("demo", name);
        Assert.True(table.ExitCode == 0, table.StdErr);
        Assert.Contains(shown, table.StdOut);
        Assert.Contains("╭", table.StdOut);

        var json = CliRunner.Run("demo", name, "--json");
        Assert.True(json.ExitCode == 0, json.StdErr);
        var root = json.Json();
        Assert.Equal(name, root.GetProperty("name").GetString());
        Assert.False(root.TryGetProperty("tables", out _));
        Assert.Contains(shown, json.StdErr);

        string path = Path.Combine(Path.GetTempPath(), $"rnn-demo-{name}-{Guid.NewGuid():N}.html");
        try
        {
            var report = CliRunner.Run("demo", name, "--report", path);
            Assert.True(report.ExitCode == 0, report.StdErr);
            Assert.Contains(RecurrentSharp.Cli.Reports.HtmlPage.Encode(shown), File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_json_carries_the_computed_numbers()
    {
        var elman = CliRunner.Run("demo", "elman-memory", "--json").Json();
        Assert.Equal(32, elman.GetProperty("given")[2].GetProperty("y")[0].GetDouble());
        var exploding = CliRunner.Run("demo", "exploding", "--json").Json();
        Assert.Equal("Infinity", exploding.GetProperty("unclipped").GetProperty("loss_after").GetString());   // JSON has no infinity: a named literal
    }

    [Fact]
    public void The_report_draws_the_tables_and_charts()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnn-demo-{Guid.NewGuid():N}.html");
        try
        {
            var run = CliRunner.Run("demo", "vanishing", "--report", path);
            Assert.True(run.ExitCode == 0, run.StdErr);
            string html = File.ReadAllText(path);
            Assert.Contains("<svg", html);
            Assert.Contains("<table>", html);
            Assert.Contains("lstm", html);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unknown_demo_is_an_error_naming_the_demos()
    {
        var run = CliRunner.Run("demo", "nope");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("elman-memory", run.StdErr);
    }
}
