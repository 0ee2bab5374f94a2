using System.Text.Json;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>The hand-checkable textbook examples in shared/fixtures/textbook reproduce.</summary>
public class TextbookTests
{
    private static JsonElement Load(string name) => JsonDocument.Parse(File.ReadAllText(SharedFolder.Fixture("textbook", name))).RootElement;

    private static float[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static Tensor Weights(JsonElement e) => Tensor.FromRows(Matrix(e));

    [Theory]
    [InlineData(Nonlinearity.Identity)]
    [InlineData(Nonlinearity.Relu)]
    public void Elman_linear_2x2_reproduces_exactly(Nonlinearity activation)
    {
        var fx = Load("elman_linear_2x2.json");
        var rnn = new Rnn(2, 2, nonlinearity: activation, bias: false);
        var output = new Linear(2, 2, bias: false);
        rnn.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Weights(fx.GetProperty("weights").GetProperty("W_xh")),
            ["weight_hh_l0"] = Weights(fx.GetProperty("weights").GetProperty("W_hh")),
        });
        output.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Weights(fx.GetProperty("weights").GetProperty("W_hy")) });
        var inputs = Matrix(fx.GetProperty("inputs"));
        var x = Tensor.FromRows(inputs).Reshape(inputs.Length, 1, 2);
        var hidden = rnn.Forward(x).Output;
        var y = output.Forward(hidden);
        Assert.Equal(Matrix(fx.GetProperty("expected_hidden")).SelectMany(v => v), hidden.ToArray());
        Assert.Equal(Matrix(fx.GetProperty("expected_outputs")).SelectMany(v => v), y.ToArray());
    }

    [Fact]
    public void Classic_single_lstm_cell_with_linear_activations_reproduces()
    {
        var fx = Load("lstm_single_cell_gates.json");
        var w = fx.GetProperty("weights");
        // Gate rows i, f, g, o; no recurrent weights (the gates see only x_t).
        var cell = new LstmCell(3, 1, cellInputActivation: Nonlinearity.Identity, cellOutputActivation: Nonlinearity.Identity);
        string[] order = ["input_gate", "forget_gate", "cell_input", "output_gate"];
        cell.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih"] = Tensor.FromRows(order.Select(g => w.GetProperty(g).GetProperty("w").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray()),
            ["weight_hh"] = Tensor.Zeros(4, 1),
            ["bias_ih"] = Tensor.FromArray(order.Select(g => w.GetProperty(g).GetProperty("b").GetSingle()).ToArray()),
            ["bias_hh"] = Tensor.Zeros(4),
        });
        var memory = fx.GetProperty("expected_memory").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var outputs = fx.GetProperty("expected_outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var approxMemory = fx.GetProperty("expected_memory_approx").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var approxOutputs = fx.GetProperty("expected_outputs_approx").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double tolerance = fx.GetProperty("tolerance").GetProperty("float32").GetDouble();
        Tensor? h = null, c = null;
        int t = 0;
        foreach (var step in Matrix(fx.GetProperty("inputs")))
        {
            (h, c) = cell.Forward(Tensor.FromArray(step), h, c);
            Assert.Equal(memory[t], c.Item(), tolerance);
            Assert.Equal(outputs[t], h.Item(), tolerance);
            Assert.Equal(approxMemory[t], c.Item(), 0.01);
            Assert.Equal(approxOutputs[t], h.Item(), 0.01);
            t++;
        }
        Assert.Equal(7, t);
    }

    [Fact]
    public void Classic_lstm_example_as_a_standard_pytorch_lstm_reproduces()
    {
        var variant = Load("lstm_single_cell_gates.json").GetProperty("pytorch_lstm_variant");
        var lstm = new Lstm(3, 1);
        lstm.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Weights(variant.GetProperty("weight_ih_l0")),
            ["weight_hh_l0"] = Weights(variant.GetProperty("weight_hh_l0")),
            ["bias_ih_l0"] = Tensor.FromArray(variant.GetProperty("bias_ih_l0").EnumerateArray().Select(v => v.GetSingle()).ToArray()),
            ["bias_hh_l0"] = Tensor.FromArray(variant.GetProperty("bias_hh_l0").EnumerateArray().Select(v => v.GetSingle()).ToArray()),
        });
        var inputs = Matrix(Load("lstm_single_cell_gates.json").GetProperty("inputs"));
        var result = lstm.Forward(Tensor.FromRows(inputs).Reshape(inputs.Length, 1, 3));
        var expectedH = variant.GetProperty("expected_h").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        TensorAssert.Close(expectedH, result.Output.Data, 1e-5, "h per step");
        var expectedC = variant.GetProperty("expected_c").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(expectedC[^1], result.Cell!.Item(), 1e-5);
    }
}
