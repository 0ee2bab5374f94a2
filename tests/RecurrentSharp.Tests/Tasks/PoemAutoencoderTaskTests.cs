using RecurrentSharp.Data;
using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>poem-autoencoder end to end on one file of the Tang poems: train both models, eval, predict vectors and nearest poems, decode a vector.</summary>
[Collection("Console")]
public class PoemAutoencoderTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    private static readonly string Poems = SharedFolder.Path("text", "chinese-poetry", "poet.tang.0.json");

    private static CliRunner.Outcome Train(string model, string kind, string data, params string[] more) =>
        CliRunner.Run(["train", "poem-autoencoder", "--model", kind, "--data", data, "--limit", "300", "--hidden", "48",
            "--out", model, "--json", "--threads", "1", .. more]);

    /// <summary>The share of the most common character among all positions a model is scored on (characters and one line end per line).</summary>
    private static double MostCommonCharacterShare()
    {
        var split = PoemLines.Split(ChinesePoetryReader.Read(Poems).Records, maxLength: 10);
        var counts = new Dictionary<string, int>();
        long positions = 0;
        foreach (var line in split.Poems.SelectMany(p => p.Lines))
        {
            foreach (var rune in line.EnumerateRunes()) counts[rune.ToString()] = counts.GetValueOrDefault(rune.ToString()) + 1;
            positions += line.EnumerateRunes().Count() + 1;
        }
        return counts.Values.Max() / (double)positions;
    }

    [Theory]
    [InlineData("hierarchical", "0")]
    [InlineData("flat", "0")]
    [InlineData("hierarchical", "0.25")]   // word dropout: the decoder reads a quarter of its inputs as nothing
    public void A_slice_scores_clearly_above_writing_the_most_common_character(string kind, string wordDropout)
    {
        // 0.54% (天, in poet.tang.0.json). What a slice learns in seconds is mostly the poems' shape: line ends are 1/6 or 1/8
        // of the positions, so a model that has learned where lines end already scores far above twice that; an untrained
        // one (--epochs 0) scores about 1 / vocabulary, below it.
        double baseline = MostCommonCharacterShare();
        var run = Train(folder.File($"learns-{kind}-{wordDropout}.safetensors"), kind, Poems, "--epochs", "3", "--word-dropout", wordDropout);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var json = run.Json();
        Assert.Equal("poem-autoencoder", json.GetProperty("task").GetString());
        Assert.Equal(kind, json.GetProperty("autoencoder").GetString());
        Assert.Equal(20, json.GetProperty("test_examples").GetInt32());   // 5% of the file's regular poems (fewer than limit / 4)
        Assert.InRange(json.GetProperty("bleu").GetDouble(), 0, 100);
        double accuracy = json.GetProperty("value").GetDouble();
        Assert.True(accuracy > 2 * baseline, $"token accuracy {accuracy} vs the most common character's share {baseline}");
        Assert.Matches(@"poem-autoencoder: 1000 poems in 1 file; \d+ empty lines skipped, \d+ lines longer than 10 characters truncated", run.StdErr);
    }

    [Fact]
    public void Predict_prints_the_poem_vector_and_the_nearest_training_poems_and_decodes_a_vector()
    {
        string data = folder.File("poems.json");
        File.Copy(Poems, data, overwrite: true);
        string model = folder.File("poem.safetensors");
        Assert.True(Train(model, "hierarchical", data, "--epochs", "1").ExitCode == 0);

        // Plain predict: "poem → reconstruction", the vector (h and c of the 48-wide sentence encoder), 5 nearest poems.
        var predict = CliRunner.Run("predict", model, "寥落古行宮，宮花寂寞紅。白頭宮女在，閒坐說玄宗。");
        Assert.True(predict.ExitCode == 0, predict.StdErr);
        var lines = predict.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("寥落古行宮，宮花寂寞紅。白頭宮女在，閒坐說玄宗。 → ", lines[0]);
        Assert.Equal(96, lines[1].Split(' ').Length);
        Assert.All(lines[2..], l => Assert.Matches(@"^  -?[01]\.\d{4}  \S+   \(", l));

        // A training poem is its own nearest neighbour, with similarity 1.
        string neighbour = lines[2].Trim().Split("  ")[1].Split("   (")[0];
        var self = CliRunner.Run("predict", model, "--nearest", "1", neighbour);
        Assert.True(self.ExitCode == 0, self.StdErr);
        Assert.StartsWith($"  1.0000  {neighbour}   (", self.StdOut.Split('\n')[1]);

        // --vector alone prints the vector only; decoding it gives the reconstruction plain predict printed.
        var vector = CliRunner.Run("predict", model, "--vector", "寥落古行宮/宮花寂寞紅/白頭宮女在/閒坐說玄宗");
        Assert.Equal(lines[1], vector.StdOut.Trim());
        string file = folder.File("vectors.txt");
        File.WriteAllText(file, vector.StdOut + "\n" + vector.StdOut);
        var decoded = CliRunner.Run("predict", model, "--decode-vector", file);
        Assert.True(decoded.ExitCode == 0, decoded.StdErr);
        string reconstruction = lines[0].Split(" → ")[1];
        Assert.Equal(new[] { reconstruction, reconstruction }, decoded.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(reconstruction, CliRunner.Run("predict", model, "--decode-vector", string.Join(',', lines[1].Split(' '))).StdOut.Trim());

        var narrow = CliRunner.Run("predict", model, "--decode-vector", "1,2,3");
        Assert.Equal(1, narrow.ExitCode);
        Assert.Contains("3 numbers, but this model's vectors have 96", narrow.StdErr);
        File.WriteAllText(file, vector.StdOut.Replace(lines[1].Split(' ')[5], "x"));
        var bad = CliRunner.Run("predict", model, "--decode-vector", file);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("vectors.txt, line 1: number 6, 'x', is not a finite number", bad.StdErr);
        Assert.DoesNotContain("   at ", bad.StdErr);
    }

    [Fact]
    public void Nearest_refuses_training_data_that_moved_or_changed_and_finds_it_with_data()
    {
        string data = folder.File("moving.json");
        File.Copy(Poems, data, overwrite: true);
        string model = folder.File("moving.safetensors");
        Assert.True(Train(model, "flat", data, "--epochs", "1").ExitCode == 0);
        Assert.True(CliRunner.Run("predict", model, "--nearest", "2", "床前明月光，疑是地上霜。").ExitCode == 0);

        string moved = Path.Combine(folder.Root, "elsewhere");
        Directory.CreateDirectory(moved);
        File.Move(data, Path.Combine(moved, "moving.json"));
        var missing = CliRunner.Run("predict", model, "--nearest", "2", "床前明月光，疑是地上霜。");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("moving.json, which is not there any more; point at the data with --data", missing.StdErr);
        var found = CliRunner.Run("predict", model, "--nearest", "2", "--data", moved, "床前明月光，疑是地上霜。");
        Assert.True(found.ExitCode == 0, found.StdErr);
        Assert.Equal(3, found.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        File.AppendAllText(Path.Combine(moved, "moving.json"), "\n");
        var changed = CliRunner.Run("predict", model, "--nearest", "2", "--data", moved, "床前明月光，疑是地上霜。");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("is not the data model", changed.StdErr);
        Assert.Contains("the file changed since", changed.StdErr);
        // The vector alone needs no training data.
        Assert.True(CliRunner.Run("predict", model, "--vector", "床前明月光，疑是地上霜。").ExitCode == 0);
    }

    [Fact]
    public void Eval_scores_the_held_out_poems_of_the_recorded_data_and_other_files_whole()
    {
        string model = folder.File("eval.safetensors");
        Assert.True(Train(model, "hierarchical", Poems, "--epochs", "1").ExitCode == 0);
        var heldOut = CliRunner.Run("eval", model, "--json");
        Assert.True(heldOut.ExitCode == 0, heldOut.StdErr);
        int kept = heldOut.Json().GetProperty("test_examples").GetInt32();
        Assert.InRange(kept, 10, 60);   // 5% of the file's regular poems
        var other = CliRunner.Run("eval", model, "--data", SharedFolder.Path("text", "chinese-poetry", "poet.tang.1000.json"), "--json");
        Assert.True(other.ExitCode == 0, other.StdErr);
        Assert.True(other.Json().GetProperty("test_examples").GetInt32() > 5 * kept);
    }

    [Theory]
    [InlineData("--model", "tree", "--model must be hierarchical or flat")]
    [InlineData("--poems", "some", "--poems must be regular or all")]
    [InlineData("--word-dropout", "1", "--word-dropout must be in [0, 1)")]
    public void Bad_settings_get_a_message(string option, string value, string message)
    {
        var run = CliRunner.Run("train", "poem-autoencoder", option, value, "--data", Poems, "--limit", "10", "--epochs", "1");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.StdErr);
    }
}
