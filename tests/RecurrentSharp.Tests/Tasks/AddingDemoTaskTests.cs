using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>The built-in demo (rnn train without a task) on a short budget.</summary>
[Collection("Console")]
public class AddingDemoTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Demo_prints_results_and_gradient_norms_for_each_cell_and_writes_a_report()
    {
        string report = folder.File("demo.html");
        var run = CliRunner.Run("train", "--epochs", "1", "--limit", "5", "--json", "--report", report);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var json = run.Json();
        Assert.Equal("adding", json.GetProperty("task").GetString());
        Assert.Equal("lstm_mse", json.GetProperty("metric").GetString());
        var results = json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(new[] { "rnn", "lstm", "gru" }, results.Select(r => r.GetProperty("cell").GetString()));
        Assert.All(results, r => Assert.True(r.GetProperty("mse").GetDouble() > 0));
        var norms = json.GetProperty("grad_norms");
        foreach (var cell in new[] { "rnn", "lstm", "gru" })
            Assert.Equal(50, norms.GetProperty(cell).GetArrayLength());
        // The vanishing gradient: the plain RNN's gradient 50 steps back is far smaller, relative to the last step, than the LSTM's.
        double Ratio(string cell) => norms.GetProperty(cell)[49].GetDouble() / norms.GetProperty(cell)[0].GetDouble();
        Assert.True(Ratio("rnn") < Ratio("lstm") * 1e-3);
        Assert.Contains("|dL/dh_t|", run.StdErr);
        string html = File.ReadAllText(report);
        Assert.Contains("<svg", html);
        Assert.Contains("lstm", html);
    }
}
