using System.Globalization;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// The classic single-cell LSTM of the lecture example, run by the library's <see cref="LstmCell"/> with linear
/// cell input and output (<see cref="Nonlinearity.Identity"/>), sigmoid gates, no recurrent weights, hand-set:
/// <code>
///   z = x1     z_i = 100 x2 - 10     z_f = 100 x2 + 10     z_o = 100 x3 - 10
///   c_t = z σ(z_i) + c_{t-1} σ(z_f)                          y_t = c_t σ(z_o)
/// </code>
/// so x2 = 1 writes x1 into the memory, x2 = -1 resets it and x3 = 1 opens the output, over seven steps.
/// </summary>
public static class LstmGatesDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "lstm-gates";

    /// <summary>The seven inputs (x1, x2, x3) of the example.</summary>
    public static readonly float[][] Inputs = [[3, 1, 0], [4, 1, 0], [2, 0, 0], [1, 0, 1], [3, -1, 0], [6, 1, 0], [1, 0, 1]];

    /// <summary>The hand-set cell: gate rows i, f, g, o as in PyTorch.</summary>
    public static LstmCell Cell()
    {
        var cell = new LstmCell(3, 1, cellInputActivation: Nonlinearity.Identity, cellOutputActivation: Nonlinearity.Identity);
        cell.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih"] = Tensor.FromRows([[0, 100, 0], [0, 100, 0], [1, 0, 0], [0, 0, 100]]),   // i, f, g (= z), o
            ["weight_hh"] = Tensor.Zeros(4, 1),                                                     // the gates see only x_t
            ["bias_ih"] = Tensor.FromArray([-10f, 10f, 0f, -10f]),
            ["bias_hh"] = Tensor.Zeros(4),
        });
        return cell;
    }

    /// <summary>Runs the seven steps from c_0 = 0.</summary>
    public static LstmGatesResult Run()
    {
        var cell = Cell();
        var steps = new List<LstmGateStep>();
        Tensor? h = null, c = null;
        for (int t = 0; t < Inputs.Length; t++)
        {
            var step = cell.ForwardWithGates(Tensor.FromArray(Inputs[t]), h, c);
            var a = step.PreActivation.ToArray();    // (4): i, f, g, o
            steps.Add(new LstmGateStep(t + 1, Inputs[t], a[2], a[0], a[1], a[3],
                step.InputGate.Item(), step.ForgetGate.Item(), step.OutputGate.Item(), step.C.Item(), step.H.Item()));
            (h, c) = (step.H, step.C);
        }
        return new LstmGatesResult(steps);
    }
}

/// <summary>
/// One step of the classic cell: the input, the pre-activations z (cell input), z_i, z_f, z_o, the gate values
/// σ(z_i), σ(z_f), σ(z_o), the memory c_t and the output y_t.
/// </summary>
public sealed record LstmGateStep(int T, float[] X, float Z, float ZInput, float ZForget, float ZOutput,
    float InputGate, float ForgetGate, float OutputGate, float Memory, float Output);

/// <summary>The seven steps of the classic single-cell LSTM.</summary>
public sealed record LstmGatesResult(IReadOnlyList<LstmGateStep> Steps) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => LstmGatesDemo.Name;

    /// <inheritdoc/>
    public override string Title => "LSTM gates: one memory cell that writes, keeps, resets and shows a number";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        "z = x1,  z_i = 100 x2 - 10,  z_f = 100 x2 + 10,  z_o = 100 x3 - 10;  c_t = z σ(z_i) + c_(t-1) σ(z_f),  y_t = c_t σ(z_o),  c_0 = 0.",
        "x2 = 1 writes x1 into the memory, x2 = -1 resets it, x3 = 1 opens the output. Computed by LstmCell(3, 1) with identity cell activations and these weights.",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables =>
    [
        new("Seven steps", ["t", "x", "z", "z_i", "input gate", "z_f", "forget gate", "z_o", "output gate", "memory c_t", "output y_t"],
            Steps.Select(s => (IReadOnlyList<DemoCell>)[s.T, DemoCell.Vector(s.X), s.Z, s.ZInput, s.InputGate, s.ZForget, s.ForgetGate, s.ZOutput, s.OutputGate, s.Memory, s.Output]).ToArray()),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        "Memory per step (rounded): " + Rounded(Steps.Select(s => s.Memory)) + "; output: " + Rounded(Steps.Select(s => s.Output)) + ".",
        "The output gate is nearly shut except when x3 = 1, so the stored number shows only then; x2 = -1 shuts both the input and the forget gate and the memory falls to about 0.",
    ];

    private static string Rounded(IEnumerable<float> values) =>
        "[" + string.Join(", ", values.Select(v => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture))) + "]";
}
