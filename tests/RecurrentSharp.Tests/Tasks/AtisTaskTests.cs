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
        var train = CliRunner.Run("train", "atis", "--limit", "800", "--epochs", "3", "--hidden", "32", "--lr", "0.01", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("atis", json.GetProperty("task").GetString());
        Assert.Equal("chunk_f1", json.GetProperty("metric").GetString());
        Assert.Equal(200, json.GetProperty("test_examples").GetInt32());   // limit / 4 dev utterances
        // Clearly better than tagging every word O (chunk F1 0, and the share of O tags as tag accuracy).
        double allO = AllOTagAccuracy(200);
        Assert.InRange(allO, 0.55, 0.7);
        Assert.True(json.GetProperty("tag_accuracy").GetDouble() > allO + 0.15, $"tag accuracy {json.GetProperty("tag_accuracy").GetDouble()} vs all-O {allO}");
        Assert.InRange(json.GetProperty("value").GetDouble(), 40, 100);
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
        // The default is the CRF head with character features; eval reports its speed.
        Assert.Contains("crf head, character features", train.StdErr);
        Assert.True(evalJson.GetProperty("sentences_per_second").GetDouble() > 0);
        Assert.InRange(evalJson.GetProperty("tag_decoding_share").GetDouble(), 0, 1);
        Assert.Contains("(crf head)", eval.StdErr + eval.StdOut);

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

    [Fact]
    public void The_softmax_head_without_character_features_is_saved_and_used_by_eval_and_predict()
    {
        string model = folder.File("atis-softmax.safetensors");
        var train = CliRunner.Run("train", "atis", "--limit", "800", "--epochs", "3", "--hidden", "32", "--lr", "0.01",
            "--head", "softmax", "--char-features", "false", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Contains("softmax head, no character features", train.StdErr);
        var json = train.Json();
        Assert.True(json.GetProperty("tag_accuracy").GetDouble() > AllOTagAccuracy(200) + 0.15, train.StdErr);
        Assert.InRange(json.GetProperty("value").GetDouble(), 40, 100);

        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal(500, evalJson.GetProperty("test_examples").GetInt32());
        Assert.True(evalJson.GetProperty("sentences_per_second").GetDouble() > 0);
        Assert.Contains("(softmax head)", eval.StdErr + eval.StdOut);

        // The most frequent departure city of the training data is tagged as one.
        var predict = CliRunner.RunWithInput("show me flights from boston to denver\n", "predict", model);
        Assert.Equal(0, predict.ExitCode);
        Assert.Contains("boston/B-fromloc.city_name", predict.StdOut);

        var bad = CliRunner.Run("train", "atis", "--limit", "10", "--epochs", "1", "--head", "hmm", "--out", folder.File("bad.safetensors"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--head must be softmax or crf", bad.StdErr);
    }

    /// <summary>The tag accuracy of tagging every word O, on the first <paramref name="utterances"/> of atis-2.dev.</summary>
    private static double AllOTagAccuracy(int utterances)
    {
        var tags = File.ReadLines(SharedFolder.Path("atis", "atis-2.dev.w-intent.iob")).Take(utterances)
            .SelectMany(line => line.Split('\t')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToArray();
        return (double)tags.Count(t => t == "O") / tags.Length;
    }
}
