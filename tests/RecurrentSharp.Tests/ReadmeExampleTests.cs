using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests;

/// <summary>The API example in README.md, kept compiling and running.</summary>
public class ReadmeExampleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rnn-readme-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_readme_example_runs()
    {
        var random = new RandomGenerator(seed: 1);
        var lstm = new Lstm(inputSize: 28, hiddenSize: 128, numLayers: 2, batchFirst: true, dropout: 0.2f, bidirectional: true, random: random);
        var head = new RecurrentSharp.Nn.Linear(2 * 128, 10, random: random);
        var optimizer = new Adam(lstm.Parameters().Concat(head.Parameters()), lr: 1e-3);

        var x = Tensor.RandomNormal(random, 0, 1, 32, 28, 28);
        int[] lengths = Enumerable.Repeat(28, 32).ToArray();
        int[] labels = Enumerable.Range(0, 32).Select(i => i % 10).ToArray();

        var (output, hN, cN) = lstm.Forward(x, lengths: lengths);
        var logits = head.Forward(output.Select(1, 27));
        var loss = Losses.CrossEntropy(logits, labels);
        optimizer.ZeroGrad();
        loss.Backward();
        GradientClipping.ClipGradNorm(optimizer.Parameters, maxNorm: 5);
        optimizer.Step();

        RecurrentSharp.Nn.StateDictFile.Save(Path.Combine(folder, "lstm.safetensors"), lstm);

        Assert.Equal(new[] { 32, 28, 256 }, output.GetShape());
        Assert.Equal(new[] { 4, 32, 128 }, hN.GetShape());
        Assert.Equal(new[] { 4, 32, 128 }, cN!.GetShape());
        Assert.True(File.Exists(Path.Combine(folder, "lstm.safetensors")));
    }
}
