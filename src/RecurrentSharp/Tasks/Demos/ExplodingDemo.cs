using System.Globalization;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// Exploding and vanishing sensitivity in the simplest recurrent network: one linear unit,
/// h_t = w h_{t-1} + x_t with x = (1, 0, 0, ..., 0) over 1000 steps, so y = h_1000 = w^999 and
/// dy/dw = 999 w^998. Computed by the library's <see cref="Rnn"/> (identity, no bias, weight_ih = 1,
/// weight_hh = w) and its backward pass. Then one gradient step on the loss (y - 1)² at a w on the cliff,
/// with and without <see cref="GradientClipping.ClipGradNorm"/>.
/// </summary>
public static class ExplodingDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "exploding";

    /// <summary>The sequence length T (y = h_T = w^(T-1)).</summary>
    public const int Steps = 1000;

    /// <summary>The recurrent weights of the table.</summary>
    public static readonly float[] Weights = [1f, 1.01f, 0.99f, 0.01f];

    /// <summary>The weight at which the clipping step is taken.</summary>
    public const float StepWeight = 1.01f;

    /// <summary>The learning rate of the step.</summary>
    public const float LearningRate = 0.01f;

    /// <summary>The gradient-norm bound of the clipped step.</summary>
    public const float MaxNorm = 1f;

    /// <summary>Runs the table, the loss-surface scan and the clipping step.</summary>
    public static ExplodingResult Run()
    {
        var rows = Weights.Select(w => { var (y, g) = Sensitivity(w); return new ExplodingRow(w, y, g); }).ToArray();
        var scan = Enumerable.Range(0, 41).Select(i => 0.98f + 0.001f * i).ToArray();
        var surface = scan.Select(w => Loss(w)).ToArray();
        return new ExplodingResult(Steps, rows, scan, surface, Step(clip: false), Step(clip: true));
    }

    /// <summary>The one-unit network with recurrent weight <paramref name="w"/>.</summary>
    public static Rnn Network(float w)
    {
        var rnn = new Rnn(1, 1, nonlinearity: Nonlinearity.Identity, bias: false);
        rnn.LoadStateDict(new Dictionary<string, Tensor> { ["weight_ih_l0"] = Tensor.Ones(1, 1), ["weight_hh_l0"] = Tensor.Full(w, 1, 1) });
        return rnn;
    }

    /// <summary>The input: 1 at the first step, 0 after, shape (T, 1, 1).</summary>
    public static Tensor Input()
    {
        var x = Tensor.Zeros(Steps, 1, 1);
        x.Data[0] = 1f;
        return x;
    }

    /// <summary>y = h_T and dy/dw by back-propagation through the T steps.</summary>
    public static (float Y, float Gradient) Sensitivity(float w)
    {
        var rnn = Network(w);
        var y = rnn.Forward(Input()).Hidden.Sum();
        y.Backward();
        return (y.Item(), RecurrentWeight(rnn).Grad!.Item());
    }

    private static Tensor RecurrentWeight(Rnn rnn) => rnn.StateDict()["weight_hh_l0"];

    private static Tensor LossOf(Rnn rnn) => (rnn.Forward(Input()).Hidden.Sum() - 1f).Square();

    private static float Loss(float w) => LossOf(Network(w)).Item();

    /// <summary>One SGD step on (y - 1)² from w = <see cref="StepWeight"/>, its gradient clipped to <see cref="MaxNorm"/> or not.</summary>
    public static ClippingStep Step(bool clip)
    {
        var rnn = Network(StepWeight);
        var weight = RecurrentWeight(rnn);
        foreach (var p in rnn.Parameters()) p.RequiresGrad = ReferenceEquals(p, weight);
        var loss = LossOf(rnn);
        loss.Backward();
        float gradient = weight.Grad!.Item();
        if (clip) GradientClipping.ClipGradNorm([weight], MaxNorm);
        float used = weight.Grad!.Item();
        new Sgd([weight], LearningRate).Step();
        float after = weight.Item();
        return new ClippingStep(clip, StepWeight, loss.Item(), gradient, used, after, Loss(after));
    }
}

/// <summary>y = w^999 and dy/dw for one recurrent weight w, both from the library.</summary>
public sealed record ExplodingRow(float W, float Y, float Gradient);

/// <summary>One SGD step: w before, the loss there, the gradient, the gradient actually used (clipped or not), w after and the loss there.</summary>
public sealed record ClippingStep(bool Clipped, float W, float Loss, float Gradient, float UsedGradient, float WAfter, float LossAfter);

/// <summary>The sensitivity table, the loss (y - 1)² over a range of w, and the step with and without clipping.</summary>
public sealed record ExplodingResult(int Steps, IReadOnlyList<ExplodingRow> Rows, IReadOnlyList<float> ScanW, IReadOnlyList<float> ScanLoss,
    ClippingStep Unclipped, ClippingStep Clipped) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => ExplodingDemo.Name;

    /// <inheritdoc/>
    public override string Title => "Exploding gradients: y_1000 = w^999, a cliff in the loss, and gradient clipping";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        string.Create(CultureInfo.InvariantCulture, $"One linear unit h_t = w h_(t-1) + x_t, x = (1, 0, ..., 0), T = {Steps}: y = h_{Steps} = w^{Steps - 1}, dy/dw = {Steps - 1} w^{Steps - 2}."),
        "Computed by Rnn(1, 1, nonlinearity: Identity, bias: false) with weight_hh = w and its backward pass (BPTT through all steps).",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables =>
    [
        new($"Sensitivity of y_{Steps} to w", ["w", $"y_{Steps} = w^{Steps - 1}", "dy/dw (autograd)"],
            Rows.Select(r => (IReadOnlyList<DemoCell>)[(double)r.W, r.Y, r.Gradient]).ToArray()),
        new(string.Create(CultureInfo.InvariantCulture, $"One SGD step on (y - 1)^2 at w = {Unclipped.W}, lr = {ExplodingDemo.LearningRate}"),
            ["step", "loss", "dL/dw", "gradient used", "w after", "loss after"],
            [Row("plain", Unclipped), Row(string.Create(CultureInfo.InvariantCulture, $"clipped to norm {ExplodingDemo.MaxNorm}"), Clipped)]),
    ];

    private static IReadOnlyList<DemoCell> Row(string name, ClippingStep s) => [name, s.Loss, s.Gradient, s.UsedGradient, s.WAfter, s.LossAfter];

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"Moving w by 1% from 1 turns y = {Rows[0].Y:G4} into {Rows[1].Y:G5} (w = {Rows[1].W}) or {Rows[2].Y:G4} (w = {Rows[2].W}); at w = {Rows[3].W} it is {Rows[3].Y:G4}. Near |w| = 1 the loss surface is a cliff."),
        string.Create(CultureInfo.InvariantCulture,
            $"On the cliff the gradient is {Unclipped.Gradient:G4}: the plain step throws w to {Unclipped.WAfter:G4}, where the loss is {Unclipped.LossAfter:G4}. Clipped to norm {ExplodingDemo.MaxNorm}, the step moves w by at most lr × {ExplodingDemo.MaxNorm} = {ExplodingDemo.LearningRate * ExplodingDemo.MaxNorm}, to {Clipped.WAfter:G6} (loss {Clipped.LossAfter:G4}): the direction is kept, the size is bounded."),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoChart> Charts =>
    [
        new($"The loss (y_{Steps} - 1)^2 against w", "w", "loss", true, ScanW.Select(w => (double)w).ToArray(),
            new Dictionary<string, double[]> { ["loss"] = ScanLoss.Select(v => (double)v).ToArray() }),
    ];
}
