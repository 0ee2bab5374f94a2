using System.Text.Json;
using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>The lstm-gates demo reproduces every step of textbook/lstm_single_cell_gates.json.</summary>
public class LstmGatesDemoTests
{
    [Fact]
    public void Every_gate_memory_and_output_matches_the_fixture()
    {
        var fx = JsonDocument.Parse(File.ReadAllText(SharedFolder.Fixture("textbook", "lstm_single_cell_gates.json"))).RootElement;
        double tolerance = fx.GetProperty("tolerance").GetProperty("float32").GetDouble();
        var expected = fx.GetProperty("steps").EnumerateArray().ToArray();
        var result = LstmGatesDemo.Run();
        Assert.Equal(expected.Length, result.Steps.Count);
        for (int t = 0; t < expected.Length; t++)
        {
            var e = expected[t];
            var s = result.Steps[t];
            Assert.Equal(e.GetProperty("x").EnumerateArray().Select(v => v.GetSingle()), s.X);
            void Check(string key, float actual) => Assert.True(Math.Abs(e.GetProperty(key).GetDouble() - actual) <= tolerance,
                $"step {t}: {key} = {actual}, expected {e.GetProperty(key).GetDouble()}");
            Check("z", s.Z);
            Check("z_i", s.ZInput);
            Check("z_f", s.ZForget);
            Check("z_o", s.ZOutput);
            Check("input_gate", s.InputGate);
            Check("forget_gate", s.ForgetGate);
            Check("output_gate", s.OutputGate);
            Check("memory", s.Memory);
            Check("output", s.Output);
        }
        var approx = fx.GetProperty("expected_outputs_approx").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.All(approx.Zip(result.Steps), p => Assert.Equal(p.First, p.Second.Output, 0.01));
    }

    [Fact]
    public void The_hand_set_cell_has_the_fixtures_weights()
    {
        var w = JsonDocument.Parse(File.ReadAllText(SharedFolder.Fixture("textbook", "lstm_single_cell_gates.json"))).RootElement.GetProperty("weights");
        var state = LstmGatesDemo.Cell().StateDict();
        string[] order = ["input_gate", "forget_gate", "cell_input", "output_gate"];   // PyTorch's rows i, f, g, o
        for (int gate = 0; gate < 4; gate++)
        {
            Assert.Equal(w.GetProperty(order[gate]).GetProperty("w").EnumerateArray().Select(v => v.GetSingle()), state["weight_ih"].Select(0, gate).ToArray());
            Assert.Equal(w.GetProperty(order[gate]).GetProperty("b").GetSingle(), state["bias_ih"].ToArray()[gate]);
        }
        Assert.All(state["weight_hh"].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(state["bias_hh"].ToArray(), v => Assert.Equal(0f, v));
    }
}
