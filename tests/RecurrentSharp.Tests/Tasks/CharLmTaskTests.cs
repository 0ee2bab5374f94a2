using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>charlm end to end on a small slice: train, eval (default validation part and --data FILE), generate, bad input.</summary>
[Collection("Console")]
public class CharLmTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_evaluates_and_generates()
    {
        string model = folder.File("charlm.safetensors");
        var train = CliRunner.Run("train", "charlm", "--limit", "6000", "--epochs", "2", "--hidden", "32", "--batch", "8", "--window", "25",
            "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("charlm", json.GetProperty("task").GetString());
        Assert.Equal("val_loss_nats", json.GetProperty("metric").GetString());
        double nats = json.GetProperty("value").GetDouble();
        Assert.InRange(nats, 1.5, 3.9);   // uniform over the 65 characters would be ln 65 = 4.17
        Assert.Equal(nats / Math.Log(2), json.GetProperty("bits_per_char").GetDouble(), 4);
        Assert.Equal(Math.Exp(nats), json.GetProperty("perplexity").GetDouble(), 3);

        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("charlm", evalJson.GetProperty("task").GetString());
        Assert.Equal("val_loss_nats", evalJson.GetProperty("metric").GetString());
        Assert.Equal(nats, evalJson.GetProperty("value").GetDouble(), 4);

        string file = folder.File("other.txt");
        File.WriteAllText(file, "First Citizen:\nBefore we proceed any further, hear me speak.\n");
        var onFile = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);
        Assert.InRange(onFile.Json().GetProperty("value").GetDouble(), 0.5, 6);

        var a = CliRunner.Run("generate", model, "--prime", "ROMEO:", "--length", "80", "--temperature", "0.7", "--seed", "3");
        var b = CliRunner.Run("generate", model, "--prime", "ROMEO:", "--length", "80", "--temperature", "0.7", "--seed", "3");
        Assert.True(a.ExitCode == 0, a.StdErr);
        Assert.StartsWith("ROMEO:", a.StdOut);
        Assert.Equal(a.StdOut, b.StdOut);
        Assert.Equal(86, a.StdOut.TrimEnd('\n').Length);
    }

    [Fact]
    public void Chinese_text_is_modelled_by_unicode_character()
    {
        string file = folder.File("lyrics.txt");
        // 𠀀 (U+20000) is one character but two UTF-16 units; the vocabulary must count it once.
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("跨时代的𠀀歌词\n", 40)));
        string model = folder.File("lyrics.safetensors");
        var train = CliRunner.Run("train", "charlm", "--data", file, "--epochs", "1", "--hidden", "8", "--batch", "4", "--window", "10",
            "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Equal(8 + 2, train.Json().GetProperty("vocabulary").GetInt32());   // 7 characters + newline + <pad>, <unk>

        var generated = CliRunner.Run("generate", model, "--prime", "跨", "--length", "20");
        Assert.True(generated.ExitCode == 0, generated.StdErr);
        Assert.DoesNotContain('\uFFFD', generated.StdOut);

        var bad = folder.File("bad.txt");
        File.WriteAllBytes(bad, [(byte)'o', (byte)'k', 10, 0xFF, 0xFE, 10]);
        var strict = CliRunner.Run("eval", model, "--data", bad, "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("bad.txt", strict.StdErr);
        Assert.Contains("line 2", strict.StdErr);
        Assert.DoesNotContain("   at ", strict.StdErr);

        var unknown = CliRunner.Run("train", "charlm", "--text", "klingon", "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("klingon", unknown.StdErr);
    }
}
