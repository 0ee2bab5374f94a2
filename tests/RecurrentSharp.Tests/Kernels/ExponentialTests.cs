using System.Runtime.Intrinsics;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>The gate kernels' float32 e^x against float64 Math.Exp, the same on its three paths, and at the edges.</summary>
[Trait("Category", "Kernels")]
public class ExponentialTests
{
    private static IEnumerable<float> Arguments()
    {
        // every 1/64 from -87 to 88, and a dense stretch around 0 where σ and tanh are steepest
        for (int k = -87 * 64; k <= 88 * 64; k++) yield return k / 64f;
        for (int k = -4096; k <= 4096; k++) yield return k / 4096f * 1e-2f;
    }

    [Fact]
    public void Relative_error_is_below_two_ten_millionths_over_the_whole_range()
    {
        double worst = 0;
        float worstAt = 0;
        foreach (float x in Arguments())
        {
            double error = Math.Abs(Exponential.Of(x) - Math.Exp(x)) / Math.Exp(x);
            if (error > worst) (worst, worstAt) = (error, x);
        }
        Assert.True(worst < 2e-7, $"relative error {worst:E2} at x = {worstAt}");
    }

    [Fact]
    public void Vector512_Vector256_and_scalar_paths_give_the_same_bits()
    {
        var xs = Arguments().ToArray();
        for (int i = 0; i + 16 <= xs.Length; i += 16)
        {
            var wide = Exponential.Of(Vector512.Create<float>(xs.AsSpan(i, 16)));
            var low = Exponential.Of(Vector256.Create<float>(xs.AsSpan(i, 8)));
            var high = Exponential.Of(Vector256.Create<float>(xs.AsSpan(i + 8, 8)));
            for (int k = 0; k < 16; k++)
            {
                float scalar = Exponential.Of(xs[i + k]);
                Assert.Equal(scalar, wide[k]);
                Assert.Equal(scalar, k < 8 ? low[k] : high[k - 8]);
            }
        }
    }

    [Fact]
    public void Large_arguments_saturate_to_finite_values_and_nan_stays_nan()
    {
        Assert.Equal(Exponential.Of(88f), Exponential.Of(1e30f));
        Assert.True(float.IsFinite(Exponential.Of(float.PositiveInfinity)) && Exponential.Of(1000f) > 1e38f);
        Assert.InRange(Exponential.Of(-1000f), 0f, 1.2e-38f);
        Assert.True(float.IsNaN(Exponential.Of(float.NaN)));
        Assert.True(float.IsNaN(Exponential.Of(Vector512.Create(float.NaN))[3]));
        Assert.True(float.IsNaN(Exponential.Of(Vector256.Create(float.NaN))[5]));
        // σ and tanh saturate (to the rational fit's limit, 2.4e-7 inside ±1) and stay finite
        Assert.InRange(GateActivations.Sigmoid(100f), 1f - 3e-7f, 1f);
        Assert.InRange(GateActivations.Tanh(-100f), -1f, -1f + 3e-7f);
        Assert.InRange(GateActivations.Sigmoid(-100f), 0f, 3e-7f);
    }
}
