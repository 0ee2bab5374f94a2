using System.Runtime.Intrinsics;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// The in-place span forms of σ and tanh (Elman's activation, Cho's GRU) against float64 Math, on a length that takes every path
/// (16- and 8-lane vectors where accelerated, then single floats); in the Kernels category, so the child processes of
/// <see cref="GemmPathSelectionTests"/> repeat it with AVX-512 or AVX2 switched off.
/// </summary>
[Trait("Category", "Kernels")]
public class GateActivationsTests
{
    private static float[] Inputs(int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (i - length / 2) * 0.37f;   // -11.1 .. 11.1: the steep middle and both saturations
        return values;
    }

    [Theory]
    [InlineData(37, 3)]   // rows of 2 x 16 + 5, or 4 x 8 + 5
    [InlineData(7, 2)]    // single floats only
    public void Tanh_of_rows_plus_a_bias_matches_float64_tanh_of_the_sum(int width, int rows)
    {
        var values = Inputs(width * rows);
        var bias = new float[width];
        for (int j = 0; j < width; j++) bias[j] = 0.25f * (j % 5) - 0.5f;
        var x = (float[])values.Clone();
        GateActivations.Tanh(values, bias);
        for (int i = 0; i < values.Length; i++)
        {
            double expected = Math.Tanh(x[i] + bias[i % width]);
            Assert.True(Math.Abs(values[i] - expected) < 3e-7, $"tanh({x[i]} + {bias[i % width]}) = {values[i]}, float64 {expected}");
        }
        Assert.Throws<ArgumentException>(() => GateActivations.Tanh(new float[width * rows + 1], bias));
    }

    [Theory]
    [InlineData(37)]   // 2 x 16 + 5, or 4 x 8 + 5
    [InlineData(7)]    // single floats only
    public void Tanh_of_a_span_matches_float64_tanh(int length)
    {
        var values = Inputs(length);
        var x = (float[])values.Clone();
        GateActivations.Tanh(values);
        for (int i = 0; i < length; i++) Assert.True(Math.Abs(values[i] - Math.Tanh(x[i])) < 3e-7, $"tanh({x[i]}) = {values[i]}, float64 {Math.Tanh(x[i])}");
    }

    [Theory]
    [InlineData(37)]
    [InlineData(7)]
    public void Sigmoid_of_a_span_matches_float64_sigmoid(int length)
    {
        var values = Inputs(length);
        var x = (float[])values.Clone();
        GateActivations.Sigmoid(values);
        for (int i = 0; i < length; i++)
        {
            double expected = 1 / (1 + Math.Exp(-x[i]));
            Assert.True(Math.Abs(values[i] - expected) < 2e-7, $"σ({x[i]}) = {values[i]}, float64 {expected}");
        }
    }

    [Fact]
    public void Vector512_Vector256_and_scalar_forms_agree()
    {
        // Run directly, so the Vector512 form is checked even where it is emulated (its division is then exact, not rcp14 + Newton).
        foreach (float x in Inputs(64))
        {
            float tanh = GateActivations.Tanh(x), sigmoid = GateActivations.Sigmoid(x);
            Assert.Equal(tanh, GateActivations.Tanh(Vector256.Create(x))[3]);
            Assert.Equal(sigmoid, GateActivations.Sigmoid(Vector256.Create(x))[5]);
            Assert.True(Math.Abs(tanh - GateActivations.Tanh(Vector512.Create(x))[7]) <= 1e-7f, $"tanh({x}) on 16 lanes");
            Assert.True(Math.Abs(sigmoid - GateActivations.Sigmoid(Vector512.Create(x))[11]) <= 1e-7f, $"σ({x}) on 16 lanes");
        }
    }

    [Fact]
    public void Large_arguments_saturate_and_stay_finite()
    {
        // σ and tanh saturate (to the rational fit's limit, 2.4e-7 inside ±1) and stay finite
        Assert.InRange(GateActivations.Sigmoid(100f), 1f - 3e-7f, 1f);
        Assert.InRange(GateActivations.Tanh(-100f), -1f, -1f + 3e-7f);
        Assert.InRange(GateActivations.Sigmoid(-100f), 0f, 3e-7f);
    }
}
