using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>sms-spam end to end on a small slice: train, eval (default split and --data FILE), predict, info.</summary>
[Collection("Console")]
public class SmsSpamTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_and_evaluates_with_the_documented_json()
    {
        string model = folder.File("sms.safetensors");
        var train = CliRunner.Run("train", "sms-spam", "--limit", "1500", "--epochs", "3", "--hidden", "16", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("sms-spam", json.GetProperty("task").GetString());
        Assert.Equal("accuracy", json.GetProperty("metric").GetString());
        // Always answering "ham" scores its share of the collection (86.6%) and a spam F1 of 0: the slice must beat both clearly.
        double majority = TrivialBaselines.MajorityShareOfLabels(SharedFolder.Path("sms-spam", "SMSSpamCollection"));
        Assert.True(json.GetProperty("value").GetDouble() > majority + 0.03, $"accuracy {json.GetProperty("value").GetDouble()} vs always-ham {majority}");
        Assert.True(json.GetProperty("spam_f1").GetDouble() > 0.3, $"spam F1 {json.GetProperty("spam_f1").GetDouble()}");
        Assert.True(File.Exists(model));

        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("sms-spam", evalJson.GetProperty("task").GetString());
        Assert.Equal("accuracy", evalJson.GetProperty("metric").GetString());
        Assert.Equal(1114, evalJson.GetProperty("test_examples").GetInt32());
        Assert.True(evalJson.TryGetProperty("spam_f1", out _));

        // The file the model was trained on, named directly: only its held-out test part is scored.
        var onTrainingFile = CliRunner.Run("eval", model, "--data", SharedFolder.Path("sms-spam", "SMSSpamCollection"), "--json");
        Assert.True(onTrainingFile.ExitCode == 0, onTrainingFile.StdErr);
        Assert.Equal(1114, onTrainingFile.Json().GetProperty("test_examples").GetInt32());
        Assert.Contains("the file this model was trained on", onTrainingFile.StdErr);

        string file = folder.File("three.txt");
        File.WriteAllText(file, "ham\thello are we still on for lunch\nspam\tWINNER!! claim your free prize now call 0800\nnot a valid line\n");
        var onFile = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);
        Assert.Equal(2, onFile.Json().GetProperty("test_examples").GetInt32());
        Assert.Contains("three.txt, line 3", onFile.StdErr);

        var strict = CliRunner.Run("eval", model, "--data", file, "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("line 3", strict.StdErr);
        Assert.DoesNotContain("   at ", strict.StdErr);

        var predict = CliRunner.RunWithInput("call me later\nFREE entry win cash\n", "predict", model);
        Assert.Equal(0, predict.ExitCode);
        Assert.Equal(2, predict.StdOut.Trim().Split('\n').Length);

        var info = CliRunner.Run("info", model);
        Assert.Contains("task:       sms-spam", info.StdOut);
    }

    [Fact]
    public void Missing_files_and_foreign_models_get_a_message_and_a_non_zero_exit()
    {
        var missing = CliRunner.Run("eval", folder.File("nope.safetensors"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.StdErr);

        string junk = folder.File("junk.safetensors");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var corrupt = CliRunner.Run("info", junk);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.StartsWith("error:", corrupt.StdErr);
        Assert.DoesNotContain("   at ", corrupt.StdErr);

        var unknown = CliRunner.Run("train", "no-such-task");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Known tasks", unknown.StdErr);
    }
}
