using System.Text.Json;
using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>The elman-memory demo reproduces textbook/elman_linear_2x2.json exactly, and its reordered run a plain loop.</summary>
public class ElmanMemoryDemoTests
{
    private static float[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    [Fact]
    public void The_worked_example_matches_the_fixture_exactly()
    {
        var fx = JsonDocument.Parse(File.ReadAllText(SharedFolder.Fixture("textbook", "elman_linear_2x2.json"))).RootElement;
        var result = ElmanMemoryDemo.Run();
        Assert.Equal(Matrix(fx.GetProperty("inputs")), result.Given.Select(s => s.X));
        Assert.Equal(Matrix(fx.GetProperty("expected_hidden")), result.Given.Select(s => s.H));
        Assert.Equal(Matrix(fx.GetProperty("expected_outputs")), result.Given.Select(s => s.Y));
        // The demo's weights are the fixture's: all ones.
        foreach (var name in new[] { "W_xh", "W_hh", "W_hy" })
            Assert.All(Matrix(fx.GetProperty("weights").GetProperty(name)).SelectMany(r => r), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void The_reordered_inputs_give_what_a_plain_loop_gives_and_another_answer()
    {
        var result = ElmanMemoryDemo.Run();
        Assert.Equal(ElmanMemoryDemo.Reordered, result.Reordered.Select(s => s.X));
        double[] h = [0, 0];
        for (int t = 0; t < ElmanMemoryDemo.Reordered.Length; t++)
        {
            var x = ElmanMemoryDemo.Reordered[t];
            // h_t = W_xh x_t + W_hh h_{t-1} with all-ones 2x2 matrices: every unit gets the sum of everything.
            double s = x[0] + x[1] + h[0] + h[1];
            h = [s, s];
            Assert.Equal(h.Select(v => (float)v), result.Reordered[t].H);
            Assert.Equal(h.Select(v => (float)(2 * v)), result.Reordered[t].Y);
        }
        Assert.NotEqual(result.Given[^1].Y, result.Reordered[^1].Y);
        Assert.Contains("[32, 32]", result.Conclusions[0]);
    }
}
