using System.Globalization;
using System.Text;
using RecurrentSharp.Data;
using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>har end to end on a small slice: the CSV signals of the data folder and the original fixed-width .txt layout.</summary>
[Collection("Console")]
public class HarTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_and_evaluates_with_the_documented_json()
    {
        string model = folder.File("har.safetensors");
        var train = CliRunner.Run("train", "har", "--limit", "300", "--epochs", "3", "--hidden", "16", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("har", json.GetProperty("task").GetString());
        Assert.Equal("accuracy", json.GetProperty("metric").GetString());
        double majority = TrivialBaselines.MajorityShareOfLines(SharedFolder.Path("har", "UCI HAR Dataset", "train", "y_train.txt"));   // about 19%
        Assert.True(json.GetProperty("value").GetDouble() > majority + 0.2, $"accuracy {json.GetProperty("value").GetDouble()} vs majority {majority}");
        Assert.Equal(300, json.GetProperty("train_examples").GetInt32());
        Assert.Equal(6, json.GetProperty("train_subjects").GetArrayLength());
        Assert.Equal(3, json.GetProperty("test_subjects").GetArrayLength());

        // eval draws the same 3 held-out volunteers again from the saved seed and scores all their windows.
        var eval = CliRunner.Run("eval", model, "--json", "--threads", "1");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("har", evalJson.GetProperty("task").GetString());
        Assert.Equal("accuracy", evalJson.GetProperty("metric").GetString());
        Assert.True(evalJson.TryGetProperty("macro_f1", out _));
        Assert.Equal(json.GetProperty("test_subjects").ToString(), evalJson.GetProperty("test_subjects").ToString());
        var data = HarReader.Read(SharedFolder.Path("har"), "test");
        var held = evalJson.GetProperty("test_subjects").EnumerateArray().Select(s => s.GetInt32()).ToHashSet();
        Assert.Equal(data.Subjects.Count(held.Contains), evalJson.GetProperty("test_examples").GetInt32());
        Assert.Equal(6, evalJson.GetProperty("confusion").GetArrayLength());
    }

    [Fact]
    public void Trains_and_evaluates_on_the_original_fixed_width_layout()
    {
        // 5 windows of each of the 9 volunteers, rewritten as the original .txt files ("  1.1653150e-002 ...").
        string root = folder.File("fixed-width");
        var data = HarReader.Read(SharedFolder.Path("har"), "test");
        int[] picked = data.Subjects.Distinct().SelectMany(s => Enumerable.Range(0, data.Count).Where(i => data.Subjects[i] == s).Take(5)).ToArray();
        string dataset = Path.Combine(root, "UCI HAR Dataset");
        string signals = Directory.CreateDirectory(Path.Combine(dataset, "test", "Inertial Signals")).FullName;
        File.Copy(SharedFolder.Path("har", "UCI HAR Dataset", "activity_labels.txt"), Path.Combine(dataset, "activity_labels.txt"));
        File.WriteAllText(Path.Combine(dataset, "test", "y_test.txt"), string.Concat(picked.Select(i => $"{data.Labels[i] + 1}\n")));
        File.WriteAllText(Path.Combine(dataset, "test", "subject_test.txt"), string.Concat(picked.Select(i => $"{data.Subjects[i]}\n")));
        for (int c = 0; c < HarReader.Channels.Count; c++)
        {
            var text = new StringBuilder();
            foreach (int i in picked)
            {
                for (int t = 0; t < HarReader.WindowLength; t++)
                    text.Append(' ').Append(data.Signals[i, t, c].ToString("0.0000000e+000", CultureInfo.InvariantCulture).PadLeft(15));
                text.Append('\n');
            }
            File.WriteAllText(Path.Combine(signals, $"{HarReader.Channels[c]}_test.txt"), text.ToString());
        }

        string model = folder.File("har-txt.safetensors");
        var train = CliRunner.Run("train", "har", "--data", root, "--epochs", "1", "--hidden", "8", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Equal(15, train.Json().GetProperty("test_examples").GetInt32());
        Assert.Equal(30, train.Json().GetProperty("train_examples").GetInt32());

        var eval = CliRunner.Run("eval", model, "--data", root, "--json");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        Assert.Equal(15, eval.Json().GetProperty("test_examples").GetInt32());
        // Without --limit, eval scores exactly the windows training scored, with the saved scaling: the same figures.
        Assert.Equal(train.Json().GetProperty("value").GetDouble(), eval.Json().GetProperty("value").GetDouble(), 1e-9);
        Assert.Equal(train.Json().GetProperty("confusion").ToString(), eval.Json().GetProperty("confusion").ToString());
    }

    [Fact]
    public void Missing_files_get_a_message_and_a_non_zero_exit()
    {
        string empty = Directory.CreateDirectory(folder.File("empty")).FullName;
        var train = CliRunner.Run("train", "har", "--data", empty, "--epochs", "1", "--threads", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains("activity_labels.txt", train.StdErr);
        Assert.DoesNotContain("   at ", train.StdErr);
    }
}
