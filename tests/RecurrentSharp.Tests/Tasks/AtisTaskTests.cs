using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>atis end to end on a small slice: train, eval (atis-2.dev and --data FILE), predict, info.</summary>
[Collection("Console")]
public class AtisTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_and_evaluates_with_the_documented_json()
    {
        string model = folder.File("atis.safetensors");
        var train = CliRunner.Run("train", "atis", "--limit", "400", "--epochs", "2", "--hidden", "16", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("atis", json.GetProperty("task").GetString());
        Assert.Equal("chunk_f1", json.GetProperty("metric").GetString());
        Assert.InRange(json.GetProperty("value").GetDouble(), 0, 100);
        Assert.Equal(100, json.GetProperty("test_examples").GetInt32());   // limit / 4 dev utterances
        Assert.InRange(json.GetProperty("intent_accuracy").GetDouble(), 0.5, 1.0);   // atis_flight alone is ~74%
        Assert.True(File.Exists(model));

        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("atis", evalJson.GetProperty("task").GetString());
        Assert.Equal("chunk_f1", evalJson.GetProperty("metric").GetString());
        Assert.Equal(500, evalJson.GetProperty("test_examples").GetInt32());   // the whole of atis-2.dev
        Assert.Equal("atis-2.dev.w-intent.iob", evalJson.GetProperty("evaluated_on").GetString());
        Assert.True(evalJson.TryGetProperty("intent_accuracy", out _));

        // Any file of the same format; a tag that the model never saw (B-new.slot) is simply never predicted.
        string file = folder.File("three.iob");
        File.WriteAllText(file,
            "BOS show me flights from boston to denver EOS\tO O O O O B-fromloc.city_name O B-toloc.city_name atis_flight\n" +
            "BOS what is the fare to dallas EOS\tO O O O O O B-new.slot atis_airfare\n" +
            "BOS broken line EOS\tO O atis_flight\n");
        var onFile = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);
        Assert.Equal(2, onFile.Json().GetProperty("test_examples").GetInt32());
        Assert.Contains("three.iob, line 3", onFile.StdErr);

        var strict = CliRunner.Run("eval", model, "--data", file, "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("line 3", strict.StdErr);
        Assert.DoesNotContain("   at ", strict.StdErr);

        var predict = CliRunner.RunWithInput("show me flights from boston to denver\nwhat is the cheapest fare\n", "predict", model);
        Assert.Equal(0, predict.ExitCode);
        var lines = predict.StdOut.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("atis_", lines[0]);
        Assert.Contains("boston/", lines[0]);

        var info = CliRunner.Run("info", model);
        Assert.Contains("task:       atis", info.StdOut);
    }
}
