using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>sentiment end to end on a small slice: train on rt-polarity, eval on its test part and on a sentence&lt;TAB&gt;label file, predict.</summary>
[Collection("Console")]
public class SentimentTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_and_evaluates_on_rt_polarity_and_on_labelled_sentences()
    {
        string model = folder.File("sentiment.safetensors");
        var train = CliRunner.Run("train", "sentiment", "--limit", "5000", "--epochs", "6", "--hidden", "32", "--lr", "0.005", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("sentiment", json.GetProperty("task").GetString());
        Assert.Equal("accuracy", json.GetProperty("metric").GetString());
        // The two classes are equally common, so guessing scores their larger share (0.5): the slice must beat it clearly.
        int positive = File.ReadAllLines(SharedFolder.Path("sentiment", "rt-polaritydata", "rt-polarity.pos")).Length;
        int negative = File.ReadAllLines(SharedFolder.Path("sentiment", "rt-polaritydata", "rt-polarity.neg")).Length;
        double majority = Math.Max(positive, negative) / (double)(positive + negative);
        Assert.True(json.GetProperty("value").GetDouble() > majority + 0.08, $"accuracy {json.GetProperty("value").GetDouble()} vs majority {majority}");
        Assert.Equal(5000, json.GetProperty("train_examples").GetInt32());
        Assert.Contains("vocabulary", train.StdErr);

        // The held-out 10% of the seeded split: 1,067 of the 10,662 snippets.
        var eval = CliRunner.Run("eval", model, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("sentiment", evalJson.GetProperty("task").GetString());
        Assert.Equal("accuracy", evalJson.GetProperty("metric").GetString());
        Assert.InRange(evalJson.GetProperty("test_examples").GetInt32(), 1066, 1068);
        Assert.True(evalJson.TryGetProperty("macro_f1", out _));

        // Any file in the UCI "sentiment labelled sentences" format, e.g. imdb_labelled.txt (1,000 sentences).
        string imdb = SharedFolder.Path("sentiment", "sentiment-labelled-sentences", "imdb_labelled.txt");
        var onImdb = CliRunner.Run("eval", model, "--data", imdb, "--json");
        Assert.True(onImdb.ExitCode == 0, onImdb.StdErr);
        Assert.Equal(1000, onImdb.Json().GetProperty("test_examples").GetInt32());

        string file = folder.File("sentences.txt");
        File.WriteAllText(file, "A wonderful, moving film.\t1\nDull and far too long.\t0\nno label here\n");
        var onFile = CliRunner.Run("eval", model, "--data", file, "--json");
        Assert.True(onFile.ExitCode == 0, onFile.StdErr);
        Assert.Equal(2, onFile.Json().GetProperty("test_examples").GetInt32());
        Assert.Contains("sentences.txt, line 3", onFile.StdErr);

        var predict = CliRunner.RunWithInput("a gorgeous, witty film\nthe plot is a mess\n", "predict", model);
        Assert.Equal(0, predict.ExitCode);
        var lines = predict.StdOut.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches("^(positive|negative)\t", l));
    }

    [Fact]
    public void A_file_with_no_line_the_model_can_read_gets_a_message_and_a_non_zero_exit()
    {
        string spam = folder.File("spam.safetensors");
        var train = CliRunner.Run("train", "sms-spam", "--limit", "100", "--epochs", "1", "--hidden", "4", "--out", spam, "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        string imdb = SharedFolder.Path("sentiment", "sentiment-labelled-sentences", "imdb_labelled.txt");
        var eval = CliRunner.Run("eval", spam, "--data", imdb);
        Assert.Equal(1, eval.ExitCode);   // the SMS reader rejects every line of a sentence<TAB>label file
        Assert.StartsWith("error:", eval.StdErr);
        Assert.Contains("imdb_labelled.txt", eval.StdErr);
        Assert.DoesNotContain("   at ", eval.StdErr);
    }
}
