using System.Globalization;
using RecurrentSharp.Data;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// The vanishing gradient on one sequence: a plain tanh <see cref="Rnn"/> and an <see cref="Lstm"/>, freshly
/// initialised from one seed, read one adding-problem sequence (T = 50) and a linear head predicts the sum;
/// <see cref="HiddenGradientProbe"/> measures ‖∂loss/∂h_t‖ at every step. Training both (and a GRU) is
/// <c>rnn train</c>, the adding-problem demo.
/// </summary>
public static class VanishingDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "vanishing";

    /// <summary>The sequence length T.</summary>
    public const int Steps = 50;

    /// <summary>The hidden size of both layers (as in <c>rnn train</c>).</summary>
    public const int HiddenSize = 32;

    /// <summary>Measures both layers on the same sequence.</summary>
    public static VanishingResult Run(int seed = 1)
    {
        var (x, y) = AddingProblem.Batch(new RandomGenerator(seed + 2000), 1, Steps);
        return new VanishingResult(seed, Steps, Measure(new Rnn(2, HiddenSize, random: new RandomGenerator(seed)), x, y, seed),
            Measure(new Lstm(2, HiddenSize, random: new RandomGenerator(seed)), x, y, seed));
    }

    /// <summary>‖∂loss/∂h_t‖ for t = 1..T of <paramref name="layer"/> with a linear head and the squared error.</summary>
    public static double[] Measure(RecurrentLayer layer, Tensor x, Tensor target, int seed)
    {
        var head = new Linear(layer.HiddenSize, 1, random: new RandomGenerator(seed + 1));
        return HiddenGradientProbe.Measure(layer, x, h => Losses.MeanSquaredError(head.Forward(h), target));
    }
}

/// <summary>The seed, T, and ‖∂loss/∂h_t‖ for t = 1..T (element 0 is the first step) of the plain RNN and of the LSTM.</summary>
public sealed record VanishingResult(int Seed, int Steps, double[] Rnn, double[] Lstm) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => VanishingDemo.Name;

    /// <inheritdoc/>
    public override string Title => "Vanishing gradients: how much of the loss's gradient reaches each step";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"One adding-problem sequence (T = {Steps}); an untrained Rnn (tanh) and Lstm, hidden {VanishingDemo.HiddenSize}, seed {Seed}, a linear head, squared error; ‖∂loss/∂h_t‖ by HiddenGradientProbe."),
        "To watch the difference decide training, run `rnn train`: it trains a plain RNN, an LSTM and a GRU on the adding problem and prints their errors and gradient bars.",
    ];

    /// <summary>The steps shown in the table: T, then every fifth step back, then 1 (all are in the JSON and the report).</summary>
    public IReadOnlyList<int> ShownSteps() => new[] { Steps }.Concat(Enumerable.Range(1, Steps / 5).Select(k => Steps - 5 * k).Where(t => t >= 1 && t < Steps)).Append(1).Distinct().ToArray();

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables =>
    [
        new("‖∂loss/∂h_t‖, from the last step back", ["t", "rnn", "lstm", "rnn relative to t = T", "lstm relative to t = T"],
            ShownSteps().Select(t => (IReadOnlyList<DemoCell>)[t, Rnn[t - 1], Lstm[t - 1], Rnn[t - 1] / Rnn[^1], Lstm[t - 1] / Lstm[^1]]).ToArray()),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"From t = {Steps} back to t = 1 the plain RNN's gradient falls by a factor {Rnn[^1] / Rnn[0]:G3}, the LSTM's by {Lstm[^1] / Lstm[0]:G3}: what the RNN saw early barely moves its loss, so it cannot learn to remember it."),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoChart> Charts =>
    [
        new("‖∂loss/∂h_t‖ at every step (log scale)", "t", "gradient norm", true, Enumerable.Range(1, Steps).Select(t => (double)t).ToArray(),
            new Dictionary<string, double[]> { ["rnn"] = Rnn, ["lstm"] = Lstm }),
    ];
}
