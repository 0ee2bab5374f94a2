using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// The input-output patterns of recurrent networks (one-to-one, one-to-many, many-to-one, many-to-many of the
/// same and of different lengths), each run through a tiny model of the library's layers (<see cref="Rnn"/>,
/// <see cref="RnnCell"/>, <see cref="Linear"/>, random weights from one seed), reporting the shape of the tensor
/// at every stage as the layers produced it. Layout (time, batch, features), PyTorch's default.
/// </summary>
public static class ShapesDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "shapes";

    /// <summary>Batch size B.</summary>
    public const int Batch = 2;

    /// <summary>Input features I.</summary>
    public const int InputSize = 3;

    /// <summary>Hidden size H.</summary>
    public const int HiddenSize = 4;

    /// <summary>Output features O.</summary>
    public const int OutputSize = 2;

    /// <summary>Input length T.</summary>
    public const int Steps = 5;

    /// <summary>Output length of the encoder-decoder and of one-to-many.</summary>
    public const int OutputSteps = 3;

    /// <summary>Runs the five patterns.</summary>
    public static ShapesResult Run(int seed = 1)
    {
        var random = new RandomGenerator(seed);
        return new ShapesResult([OneToOne(random), OneToMany(random), ManyToOne(random), ManyToManySame(random), ManyToManyDifferent(random)]);
    }

    private static ShapeStage Stage(string name, Tensor t) => new(name, t.GetShape());

    private static ShapePattern OneToOne(RandomGenerator random)
    {
        var rnn = new Rnn(InputSize, HiddenSize, random: random);
        var head = new Linear(HiddenSize, OutputSize, random: random);
        var x = Tensor.RandomNormal(random, 0, 1, 1, Batch, InputSize);
        var h = rnn.Forward(x).Output;
        var y = head.Forward(h.Squeeze(0));
        return new("one-to-one", "one input, one output (a feed-forward net: a fixed-size image to a class)",
            [Stage("input x, T = 1", x), Stage("Rnn output", h), Stage("squeeze time", h.Squeeze(0)), Stage("Linear: y", y)]);
    }

    private static ShapePattern OneToMany(RandomGenerator random)
    {
        var init = new Linear(InputSize, HiddenSize, random: random);
        var cell = new RnnCell(OutputSize, HiddenSize, random: random);
        var head = new Linear(HiddenSize, OutputSize, random: random);
        var x = Tensor.RandomNormal(random, 0, 1, Batch, InputSize);
        var h = init.Forward(x).Tanh();
        var stages = new List<ShapeStage> { Stage("input x (one vector)", x), Stage("Linear + tanh: h_0", h) };
        var y = Tensor.Zeros(Batch, OutputSize);    // the start symbol
        var outputs = new List<Tensor>();
        for (int t = 0; t < OutputSteps; t++)
        {
            h = cell.Forward(y, h);
            y = head.Forward(h);
            outputs.Add(y);
            if (t == 0) stages.AddRange([Stage("RnnCell(previous y_t, h): h_1", h), Stage("Linear: y_1, fed back", y)]);
        }
        var sequence = Tensor.Stack(outputs, 0);
        stages.Add(Stage($"y_1 .. y_{OutputSteps} stacked", sequence));
        return new("one-to-many", "one input, a sequence out (an image to a caption)", stages);
    }

    private static ShapePattern ManyToOne(RandomGenerator random)
    {
        var rnn = new Rnn(InputSize, HiddenSize, random: random);
        var head = new Linear(HiddenSize, OutputSize, random: random);
        var x = Tensor.RandomNormal(random, 0, 1, Steps, Batch, InputSize);
        var result = rnn.Forward(x);
        var last = result.Hidden.Squeeze(0);
        var y = head.Forward(last);
        return new("many-to-one", "a sequence in, one output (a sentence to its sentiment)",
            [Stage("input x", x), Stage("Rnn output (every step)", result.Output), Stage("Rnn h_n", result.Hidden), Stage("h_n without the layer axis", last), Stage("Linear: y", y)]);
    }

    private static ShapePattern ManyToManySame(RandomGenerator random)
    {
        var rnn = new Rnn(InputSize, HiddenSize, random: random);
        var head = new Linear(HiddenSize, OutputSize, random: random);
        var x = Tensor.RandomNormal(random, 0, 1, Steps, Batch, InputSize);
        var h = rnn.Forward(x).Output;
        var y = head.Forward(h);
        return new("many-to-many (same length)", "one output per input step (a tag per word)",
            [Stage("input x", x), Stage("Rnn output (every step)", h), Stage("Linear at every step: y", y)]);
    }

    private static ShapePattern ManyToManyDifferent(RandomGenerator random)
    {
        var encoder = new Rnn(InputSize, HiddenSize, random: random);
        var decoder = new Rnn(OutputSize, HiddenSize, random: random);
        var head = new Linear(HiddenSize, OutputSize, random: random);
        var x = Tensor.RandomNormal(random, 0, 1, Steps, Batch, InputSize);
        var summary = encoder.Forward(x).Hidden;
        var previous = Tensor.RandomNormal(random, 0, 1, OutputSteps, Batch, OutputSize);    // teacher forcing: the shifted targets
        var h = decoder.Forward(previous, summary).Output;
        var y = head.Forward(h);
        return new("many-to-many (different lengths)", "an encoder reads the sequence, a decoder writes another (translation)",
            [Stage("input x", x), Stage("encoder h_n (the summary)", summary), Stage("decoder input (previous outputs)", previous),
             Stage("decoder output, started from h_n", h), Stage("Linear at every step: y", y)]);
    }
}

/// <summary>One stage of a pattern and the shape of its tensor.</summary>
public sealed record ShapeStage(string Stage, int[] Shape);

/// <summary>One input-output pattern, an example of its use, and its stages.</summary>
public sealed record ShapePattern(string Pattern, string Example, IReadOnlyList<ShapeStage> Stages);

/// <summary>The five patterns.</summary>
public sealed record ShapesResult(IReadOnlyList<ShapePattern> Patterns) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => ShapesDemo.Name;

    /// <inheritdoc/>
    public override string Title => "Shapes: one-to-one, one-to-many, many-to-one, many-to-many";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        $"Tiny models with batch B = {ShapesDemo.Batch}, input I = {ShapesDemo.InputSize}, hidden H = {ShapesDemo.HiddenSize}, output O = {ShapesDemo.OutputSize}, input length T = {ShapesDemo.Steps}, output length {ShapesDemo.OutputSteps}.",
        "Tensors are (time, batch, features), PyTorch's default layout; an Rnn's h_n is (layers x directions, batch, hidden). Every shape below is read from the tensor the layer returned.",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables =>
        Patterns.Select(p => new DemoTable(p.Pattern, ["stage", "shape"],
            p.Stages.Select(s => (IReadOnlyList<DemoCell>)[s.Stage, DemoCell.Shape(s.Shape)]).ToArray(), p.Example)).ToArray();

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        "The recurrent layer is the same in every pattern; what changes is which of its outputs is read (every step, or only h_n) and what is fed in (a sequence, one vector, or the previous output).",
    ];
}
