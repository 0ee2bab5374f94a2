using System.Buffers.Binary;
using RecurrentSharp.Data;
using RecurrentSharp.Tests.Cli;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>mnist end to end on a small slice: train, eval on the 10k test images and on a folder of IDX files.</summary>
[Collection("Console")]
public class MnistTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    [Fact]
    public void Trains_on_a_slice_and_evaluates_with_the_documented_json()
    {
        string model = folder.File("mnist.safetensors");
        var train = CliRunner.Run("train", "mnist", "--limit", "3000", "--epochs", "2", "--batch", "32", "--hidden", "32", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("mnist", json.GetProperty("task").GetString());
        Assert.Equal("accuracy", json.GetProperty("metric").GetString());
        double majority = TrivialBaselines.MnistTestMajority();   // the most common digit: 11.4% of the test images
        Assert.True(json.GetProperty("value").GetDouble() > 3 * majority, $"accuracy {json.GetProperty("value").GetDouble()} vs majority {majority}");
        Assert.Equal(750, json.GetProperty("test_examples").GetInt32());
        Assert.True(File.Exists(model));

        var eval = CliRunner.Run("eval", model, "--json", "--threads", "1");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var evalJson = eval.Json();
        Assert.Equal("mnist", evalJson.GetProperty("task").GetString());
        Assert.Equal("accuracy", evalJson.GetProperty("metric").GetString());
        Assert.Equal(10000, evalJson.GetProperty("test_examples").GetInt32());
        Assert.True(evalJson.TryGetProperty("macro_f1", out _));

        // A folder with the first 30 test images as uncompressed IDX files (the dotted original spelling).
        string idx = Directory.CreateDirectory(folder.File("idx")).FullName;
        var test = MnistReader.ReadFolder(SharedFolder.Path("mnist"), train: false);
        WriteIdx(Path.Combine(idx, "t10k-images.idx3-ubyte"), IdxReader.ImagesMagic, [30, 28, 28], test.Images.Pixels.AsSpan(0, 30 * 784));
        WriteIdx(Path.Combine(idx, "t10k-labels.idx1-ubyte"), IdxReader.LabelsMagic, [30], test.Labels.AsSpan(0, 30));
        var onFolder = CliRunner.Run("eval", model, "--data", idx, "--json");
        Assert.True(onFolder.ExitCode == 0, onFolder.StdErr);
        Assert.Equal(30, onFolder.Json().GetProperty("test_examples").GetInt32());
    }

    [Fact]
    public void Missing_files_get_a_message_and_a_non_zero_exit()
    {
        string empty = Directory.CreateDirectory(folder.File("empty")).FullName;
        var train = CliRunner.Run("train", "mnist", "--data", empty, "--epochs", "1", "--threads", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains("train-images-idx3-ubyte.gz", train.StdErr);
        Assert.DoesNotContain("   at ", train.StdErr);
    }

    /// <summary>An IDX file: big-endian magic, dimensions, then the bytes.</summary>
    private static void WriteIdx(string path, int magic, int[] dimensions, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        payload.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        File.WriteAllBytes(path, bytes);
    }
}
