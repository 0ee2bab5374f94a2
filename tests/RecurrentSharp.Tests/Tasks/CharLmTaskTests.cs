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
        var train = CliRunner.Run("train", "charlm", "--limit", "60000", "--epochs", "4", "--hidden", "64", "--batch", "16", "--window", "50", "--lr", "0.005",
            "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("charlm", json.GetProperty("task").GetString());
        Assert.Equal("val_loss_nats", json.GetProperty("metric").GetString());
        double nats = json.GetProperty("value").GetDouble();
        // A unigram character model of the same slice (90% to estimate, the last 10% to score) gets about 3.27 nats.
        string slice = File.ReadAllText(SharedFolder.Path("text", "tinyshakespeare", "input.txt"))[..60000];
        double unigram = TrivialBaselines.UnigramNats(slice, 0.9);
        Assert.True(nats < unigram - 0.5, $"{nats} nats vs a unigram model's {unigram}");
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

    [Fact]
    public void Eval_on_the_training_text_scores_only_its_validation_part()
    {
        // 1500 characters are used (--limit); '#' appears only after them, '@' only in their last 10% (validation part).
        string line = "the quick brown fox jumps over the lazy dog\n";
        string text = string.Concat(Enumerable.Repeat(line, 40))[..1400] + "@" + string.Concat(Enumerable.Repeat(line, 3))[..99] + "####\n";
        string file = folder.File("fox.txt");
        File.WriteAllText(file, text);
        string model = folder.File("fox.safetensors");
        var train = CliRunner.Run("train", "charlm", "--data", file, "--limit", "1500", "--epochs", "1", "--hidden", "8", "--batch", "4", "--window", "20",
            "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("validation", json.GetProperty("selected_on").GetString());
        // The 28 characters of the training part (a pangram: 26 letters, space, newline) + <pad>, <unk>; never '@' or '#'.
        Assert.Equal(line.Distinct().Count() + 2, json.GetProperty("vocabulary").GetInt32());

        var eval = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        Assert.Contains("evaluating its validation part", eval.StdErr);
        Assert.Equal(json.GetProperty("value").GetDouble(), eval.Json().GetProperty("value").GetDouble(), 4);
        Assert.Equal(1, eval.Json().GetProperty("unknown_chars").GetInt32());   // the '@' of the validation part is <unk>

        // Another text is scored whole.
        string other = folder.File("fox2.txt");
        File.WriteAllText(other, text + "\n");
        var whole = CliRunner.Run("eval", model, "--data", other, "--json");
        Assert.True(whole.ExitCode == 0, whole.StdErr);
        Assert.DoesNotContain("validation part", whole.StdErr);
        Assert.Equal(5, whole.Json().GetProperty("unknown_chars").GetInt32());
    }

    [Theory]
    [InlineData("\"window\":\"20\"", "\"window\":\"2x\"", "'window'")]
    [InlineData("\"limit\":\"1500\"", "\"limit\":\"15x0\"", "'limit'")]
    public void Corrupt_metadata_is_an_error_message_not_a_stack_trace(string from, string to, string named)
    {
        string file = folder.File("corrupt.txt");
        File.WriteAllText(file, string.Concat(Enumerable.Repeat("abcdefgh\n", 200)));
        string model = folder.File("corrupt-source.safetensors");
        if (!File.Exists(model))
        {
            var train = CliRunner.Run("train", "charlm", "--data", file, "--limit", "1500", "--epochs", "1", "--hidden", "4", "--batch", "4", "--window", "20",
                "--out", model, "--threads", "1");
            Assert.True(train.ExitCode == 0, train.StdErr);
        }
        var eval = CliRunner.Run("eval", folder.Corrupt(model, "corrupt.safetensors", from, to), "--data", file);
        Assert.Equal(1, eval.ExitCode);
        Assert.StartsWith("error:", eval.StdErr);
        Assert.Contains(named, eval.StdErr);
        Assert.DoesNotContain("   at ", eval.StdErr);
    }
}
