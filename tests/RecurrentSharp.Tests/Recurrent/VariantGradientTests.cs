using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>
/// The fused variants without a PyTorch twin (peephole and coupled LSTM, Cho's GRU, the identity Elman
/// cell) agree with central finite differences for every input, state and parameter, including
/// bidirectional stacks over a padded batch.
/// </summary>
public class VariantGradientTests
{
    // rnn-relu is left to the PyTorch fixtures: finite differences across its kink at 0 are not meaningful.
    public static TheoryData<string> Variants() => new() { "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled", "gru-cho", "rnn-identity", "lstm", "gru" };

    private static RecurrentLayer Create(string variant, int input, int hidden, int layers, bool bidirectional, RandomGenerator r) => variant switch
    {
        "lstm-peephole" => new Lstm(input, hidden, layers, bidirectional: bidirectional, peephole: true, random: r),
        "lstm-coupled" => new Lstm(input, hidden, layers, bidirectional: bidirectional, coupledGates: true, random: r),
        "lstm-peephole-coupled" => new Lstm(input, hidden, layers, bidirectional: bidirectional, peephole: true, coupledGates: true, random: r),
        "gru-cho" => new Gru(input, hidden, layers, bidirectional: bidirectional, variant: GruVariant.Cho, random: r),
        "rnn-identity" => new Rnn(input, hidden, layers, Nonlinearity.Identity, bidirectional: bidirectional, random: r),
        "lstm" => new Lstm(input, hidden, layers, bidirectional: bidirectional, random: r),
        "gru" => new Gru(input, hidden, layers, bidirectional: bidirectional, random: r),
        _ => throw new ArgumentException(variant),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Bidirectional_stack_over_a_padded_batch_matches_finite_differences(string variant)
    {
        var r = new RandomGenerator(17);
        var layer = Create(variant, input: 3, hidden: 4, layers: 2, bidirectional: true, r);
        var x = Input(r, 5, 3, 3);
        var h0 = Input(r, 4, 3, 4);
        bool hasCell = layer.Cell.HasCellState;
        var c0 = hasCell ? Input(r, 4, 3, 4) : null;
        int[] lengths = [5, 2, 4];
        Tensor[] inputs = [x, h0, .. hasCell ? new[] { c0! } : [], .. layer.Parameters()];
        AssertGradientsMatch(() =>
        {
            var o = layer.Forward(x, h0, c0, lengths);
            return o.Cell is null ? [o.Output, o.Hidden] : [o.Output, o.Hidden, o.Cell];
        }, inputs, step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Cho_gru_layer_equals_stepping_the_cho_cell()
    {
        var r = new RandomGenerator(5);
        var layer = new Gru(3, 4, variant: GruVariant.Cho, random: r);
        var cell = new GruCell(3, 4, variant: GruVariant.Cho, random: r);
        cell.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih"] = layer.StateDict()["weight_ih_l0"], ["weight_hh"] = layer.StateDict()["weight_hh_l0"],
            ["bias_ih"] = layer.StateDict()["bias_ih_l0"], ["bias_hh"] = layer.StateDict()["bias_hh_l0"],
        });
        var x = Tensor.RandomNormal(r, 0, 1, 6, 2, 3);
        var output = layer.Forward(x).Output;
        Tensor? h = null;
        for (int t = 0; t < 6; t++)
        {
            h = cell.Forward(x.Select(0, t), h);
            TensorAssert.Close(h, output.Select(0, t), 1e-5, $"step {t}");
        }
    }

    [Fact]
    public void Cho_and_pytorch_gru_differ_when_the_reset_gate_matters()
    {
        var r = new RandomGenerator(6);
        var a = new Gru(3, 4, random: r);
        var b = new Gru(3, 4, variant: GruVariant.Cho, random: r);
        b.LoadStateDict(a.StateDict());
        var x = Tensor.RandomNormal(r, 0, 1, 4, 2, 3);
        var h0 = Tensor.RandomNormal(r, 0, 1, 1, 2, 4);
        var ya = a.Forward(x, h0).Output.ToArray();
        var yb = b.Forward(x, h0).Output.ToArray();
        Assert.True(ya.Zip(yb).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    [Fact]
    public void Coupled_lstm_forget_gate_is_one_minus_input_gate()
    {
        // With zero recurrent weights and bias, one step from c0: c1 = (1 - i) c0 + i g exactly.
        var lstm = new Lstm(2, 1, coupledGates: true, random: new RandomGenerator(1));
        Assert.Equal(new[] { 3, 2 }, lstm.StateDict()["weight_ih_l0"].GetShape());
        foreach (var p in lstm.Parameters()) p.Data.Clear();
        var w = lstm.StateDict()["weight_ih_l0"];
        w[0, 0] = 0.7f;  // a_i = 0.7 x1
        w[1, 1] = 1.3f;  // a_g = 1.3 x2
        w[2, 0] = 0.2f;  // a_o = 0.2 x1
        var x = Tensor.FromArray([0.5f, -0.8f], 1, 1, 2);
        var c0 = Tensor.FromArray([0.9f], 1, 1, 1);
        var result = lstm.Forward(x, null, c0);
        double i = 1 / (1 + Math.Exp(-0.35)), g = Math.Tanh(-1.04), o = 1 / (1 + Math.Exp(-0.1));
        double c1 = (1 - i) * 0.9 + i * g;
        // float32 gate arithmetic is good to a few 1e-7 (an absolute tolerance: rounding both to 6 decimals fails
        // whenever the exact value lies near a rounding boundary, as c1 = -0.0842786 does)
        Assert.Equal(c1, result.Cell!.Item(), 1e-6);
        Assert.Equal(o * Math.Tanh(c1), result.Hidden.Item(), 1e-6);
    }

    [Fact]
    public void Peephole_lstm_gates_see_the_cell_state()
    {
        // Zero weights except the peepholes: a_i = p_i c0, a_f = p_f c0, g = 0, a_o = p_o c1.
        var lstm = new Lstm(1, 1, peephole: true, forgetGateBias: null, random: new RandomGenerator(2));
        foreach (var p in lstm.Parameters()) p.Data.Clear();
        var peep = lstm.StateDict()["weight_peephole_l0"];
        peep.Data[0] = 0.5f; peep.Data[1] = -0.4f; peep.Data[2] = 2f;
        var c0 = Tensor.FromArray([1.5f], 1, 1, 1);
        var result = lstm.Forward(Tensor.Zeros(1, 1, 1), null, c0);
        double f = 1 / (1 + Math.Exp(0.6));
        double c1 = f * 1.5;
        double o = 1 / (1 + Math.Exp(-2 * c1));
        // float32 gate arithmetic is good to a few 1e-7 (an absolute tolerance: rounding both to 6 decimals fails
        // whenever the exact value lies near a rounding boundary, as c1 = -0.0842786 does)
        Assert.Equal(c1, result.Cell!.Item(), 1e-6);
        Assert.Equal(o * Math.Tanh(c1), result.Hidden.Item(), 1e-6);
    }

    [Fact]
    public void New_lstm_starts_with_forget_bias_one()
    {
        var lstm = new Lstm(3, 5, bidirectional: true);
        foreach (var (name, p) in lstm.NamedParameters())
        {
            if (name.StartsWith("bias_ih", StringComparison.Ordinal)) Assert.All(p.Data.Slice(5, 5).ToArray(), v => Assert.Equal(1f, v));
            if (name.StartsWith("bias_hh", StringComparison.Ordinal)) Assert.All(p.Data.Slice(5, 5).ToArray(), v => Assert.Equal(0f, v));
        }
        var plain = new Lstm(3, 5, forgetGateBias: null);
        Assert.All(plain.StateDict()["bias_ih_l0"].ToArray(), v => Assert.InRange(v, -1 / MathF.Sqrt(5), 1 / MathF.Sqrt(5)));
    }
}
