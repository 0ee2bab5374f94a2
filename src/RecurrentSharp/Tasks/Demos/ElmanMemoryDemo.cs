using System.Globalization;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// The textbook linear Elman network: 2 inputs, 2 memory units with identity activation, 2 linear outputs,
/// every weight 1, no bias, memory starting at 0:
/// <code>
///   h_t = W_xh x_t + W_hh h_{t-1}      y_t = W_hy h_t
/// </code>
/// run by the library's <see cref="Rnn"/> (<see cref="Nonlinearity.Identity"/>) and <see cref="Linear"/> on the
/// inputs [1,1], [1,1], [2,2] and on the same inputs in another order, to show that the memory makes the order matter.
/// </summary>
public static class ElmanMemoryDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "elman-memory";

    /// <summary>The inputs of the worked example, one vector per step.</summary>
    public static readonly float[][] Inputs = [[1, 1], [1, 1], [2, 2]];

    /// <summary>The same inputs in another order.</summary>
    public static readonly float[][] Reordered = [[2, 2], [1, 1], [1, 1]];

    /// <summary>Runs the network on both orders.</summary>
    public static ElmanMemoryResult Run() => new(Steps(Inputs), Steps(Reordered));

    /// <summary>Runs the all-ones network on <paramref name="inputs"/> (one 2-vector per step): x_t, h_t and y_t per step.</summary>
    public static IReadOnlyList<ElmanStep> Steps(float[][] inputs)
    {
        var rnn = new Rnn(2, 2, nonlinearity: Nonlinearity.Identity, bias: false);
        var output = new Linear(2, 2, bias: false);
        rnn.LoadStateDict(new Dictionary<string, Tensor> { ["weight_ih_l0"] = Tensor.Ones(2, 2), ["weight_hh_l0"] = Tensor.Ones(2, 2) });
        output.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Ones(2, 2) });
        var x = Tensor.FromRows(inputs).Reshape(inputs.Length, 1, 2);    // (T, B = 1, I = 2)
        var hidden = rnn.Forward(x).Output;                               // (T, 1, 2): h_1 .. h_T
        var y = output.Forward(hidden);                                   // (T, 1, 2): y_1 .. y_T
        return Enumerable.Range(0, inputs.Length)
            .Select(t => new ElmanStep(t + 1, inputs[t], hidden.Select(0, t).ToArray(), y.Select(0, t).ToArray()))
            .ToArray();
    }
}

/// <summary>One step of the linear Elman network: the input, the memory h_t and the output y_t.</summary>
public sealed record ElmanStep(int T, float[] X, float[] H, float[] Y);

/// <summary>The linear Elman network on the worked example's inputs and on the same inputs reordered.</summary>
public sealed record ElmanMemoryResult(IReadOnlyList<ElmanStep> Given, IReadOnlyList<ElmanStep> Reordered) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => ElmanMemoryDemo.Name;

    /// <inheritdoc/>
    public override string Title => "Elman memory: a linear RNN with every weight 1 remembers its inputs";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        "h_t = W_xh x_t + W_hh h_(t-1),  y_t = W_hy h_t;  W_xh = W_hh = W_hy = all ones (2x2), no bias, h_0 = 0.",
        "Computed by Rnn(2, 2, nonlinearity: Identity, bias: false) and Linear(2, 2, bias: false).",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables => [Table("The worked example", Given), Table("The same inputs in another order", Reordered)];

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"The last output is {Format(Given[^1].Y)} for the first order and {Format(Reordered[^1].Y)} for the second: the same inputs, another order, another answer."),
        "The memory h_(t-1) carries what came before into every step, so the network is a function of the sequence, not of the set of inputs.",
    ];

    private static DemoTable Table(string title, IReadOnlyList<ElmanStep> steps) =>
        new(title, ["t", "x_t", "h_t", "y_t"], steps.Select(s => (IReadOnlyList<DemoCell>)[s.T, DemoCell.Vector(s.X), DemoCell.Vector(s.H), DemoCell.Vector(s.Y)]).ToArray());

    private static string Format(float[] v) => "[" + string.Join(", ", v.Select(x => x.ToString("G6", CultureInfo.InvariantCulture))) + "]";
}
