using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>timeseries end to end: train and eval with the documented JSON, another file and column, bad input.</summary>
[Collection("Console")]
public class TimeSeriesTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_airline_passengers_and_reports_rmse_beside_the_baselines()
    {
        string model = folder.File("airline.safetensors");
        var train = CliRunner.Run("train", "timeseries", "--epochs", "30", "--hidden", "16", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("timeseries", json.GetProperty("task").GetString());
        Assert.Equal("rmse", json.GetProperty("metric").GetString());
        Assert.InRange(json.GetProperty("value").GetDouble(), 1, 200);
        Assert.Equal(48, json.GetProperty("test_values").GetInt32());       // the last third of 144 months
        Assert.Equal(48, json.GetProperty("test_windows").GetInt32());
        Assert.Equal(12, json.GetProperty("season").GetInt32());
        Assert.Equal(24, json.GetProperty("window").GetInt32());
        Assert.Equal("Passengers", json.GetProperty("column").GetString());
        var passengers = File.ReadLines(SharedFolder.Path("timeseries", "airline-passengers.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        double seasonal = TrivialBaselines.SeasonalNaiveRmse(passengers, 12, passengers.Count - 48);   // computed here, then checked against the task's
        Assert.Equal(seasonal, json.GetProperty("seasonal_naive_rmse").GetDouble(), 3);
        Assert.True(json.GetProperty("value").GetDouble() < 0.8 * seasonal, $"RMSE {json.GetProperty("value").GetDouble()} vs seasonal naive {seasonal}");
        Assert.True(json.GetProperty("naive_rmse").GetDouble() > seasonal);

        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("timeseries", evalJson.GetProperty("task").GetString());
        Assert.Equal("rmse", evalJson.GetProperty("metric").GetString());
        Assert.Equal(json.GetProperty("value").GetDouble(), evalJson.GetProperty("value").GetDouble(), 4);
        Assert.Equal(seasonal, evalJson.GetProperty("seasonal_naive_rmse").GetDouble(), 6);

        // The same column of another file, with a malformed row reported by file and line and skipped.
        string file = folder.File("other.csv");
        var rows = Enumerable.Range(0, 60).Select(i => $"\"m{i}\",{100 + i + 10 * (i % 12)}").ToList();
        rows.Insert(30, "\"bad\",lots");
        File.WriteAllText(file, "\"Month\",\"Passengers\"\r\n" + string.Join("\r\n", rows));
        var onFile = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);
        Assert.Equal(20, onFile.Json().GetProperty("test_values").GetInt32());
        Assert.Contains("other.csv, line 32", onFile.StdErr);

        var forecast = CliRunner.Run("predict", model, string.Join(",", Enumerable.Range(0, 30).Select(i => 300 + i)));
        Assert.True(forecast.ExitCode == 0, forecast.StdErr);
        Assert.True(float.TryParse(forecast.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture, out _), forecast.StdOut);
    }

    [Fact]
    public void Any_column_season_and_horizon_and_clear_errors()
    {
        string temperatures = Path.Combine(SharedFolder.DataRoot, "timeseries", "daily-min-temperatures.csv");
        string model = folder.File("temps.safetensors");
        var train = CliRunner.Run("train", "timeseries", "--data", temperatures, "--column", "temp", "--season", "365", "--window", "20",
            "--horizon", "3", "--limit", "700", "--epochs", "1", "--hidden", "8", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("Temp", json.GetProperty("column").GetString());
        Assert.Equal(3, json.GetProperty("horizon").GetInt32());
        Assert.Equal(233, json.GetProperty("test_values").GetInt32());
        Assert.Equal(231, json.GetProperty("test_windows").GetInt32());

        // Eval on the training file itself applies the saved --limit: the same held-out last third as training.
        var onTrainingFile = CliRunner.Run("eval", model, "--data", temperatures, "--json");
        Assert.True(onTrainingFile.ExitCode == 0, onTrainingFile.StdErr);
        Assert.Contains("applying its --limit 700", onTrainingFile.StdErr);
        Assert.Equal(233, onTrainingFile.Json().GetProperty("test_values").GetInt32());
        Assert.Equal(json.GetProperty("value").GetDouble(), onTrainingFile.Json().GetProperty("value").GetDouble(), 4);

        // Corrupt metadata: a message and exit code 1, never a stack trace.
        foreach (var (from, to, named) in new[] { ("\"setup\":\"{", "\"setup\":\"[", "'setup'"), ("\"limit\":\"700\"", "\"limit\":\"7x0\"", "'limit'") })
        {
            var corrupt = CliRunner.Run("eval", folder.Corrupt(model, "temps-corrupt.safetensors", from, to), "--data", temperatures);
            Assert.Equal(1, corrupt.ExitCode);
            Assert.StartsWith("error:", corrupt.StdErr);
            Assert.Contains(named, corrupt.StdErr);
            Assert.DoesNotContain("   at ", corrupt.StdErr);
        }

        var unknown = CliRunner.Run("train", "timeseries", "--data", temperatures, "--column", "rainfall", "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("rainfall", unknown.StdErr);
        Assert.Contains("'Temp'", unknown.StdErr);
        Assert.DoesNotContain("   at ", unknown.StdErr);

        string bad = folder.File("bad.csv");
        File.WriteAllText(bad, "Date,Value\n1,2\n2,3,4\n3,4\n");
        var strict = CliRunner.Run("train", "timeseries", "--data", bad, "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("bad.csv", strict.StdErr);
        Assert.Contains("line 3", strict.StdErr);

        var tooShort = CliRunner.Run("train", "timeseries", "--data", bad);
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("too few", tooShort.StdErr);
    }
}
