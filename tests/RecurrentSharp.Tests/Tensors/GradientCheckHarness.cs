using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tensors;

/// <summary>Runs <see cref="GradientCheck"/> and asserts that every input's gradient agrees.</summary>
internal static class GradientCheckHarness
{
    public static void AssertGradientsMatch(Func<IReadOnlyList<Tensor>> function, IReadOnlyList<Tensor> inputs,
        int seed = 7, float step = 1e-2f, double tolerance = 2e-3)
    {
        var reports = GradientCheck.Check(function, inputs, new RandomGenerator(seed), step);
        Assert.NotEmpty(reports);
        foreach (var r in reports)
            Assert.True(r.RelativeError <= tolerance,
                $"input {r.Input}: analytic and numeric gradients differ by {r.MaxAbsoluteError:G4} (scale {r.MaxReference:G4}, relative {r.RelativeError:G4}) at element {r.WorstElement}");
    }

    public static void AssertGradientsMatch(Func<Tensor> function, IReadOnlyList<Tensor> inputs,
        int seed = 7, float step = 1e-2f, double tolerance = 2e-3)
        => AssertGradientsMatch(() => [function()], inputs, seed, step, tolerance);

    /// <summary>A leaf tensor of standard normal values that requires a gradient.</summary>
    public static Tensor Input(RandomGenerator random, params int[] shape) => Tensor.RandomNormal(random, 0f, 1f, shape).WithGrad();

    /// <summary>A leaf tensor whose values keep at least <paramref name="margin"/> away from zero (for kinks like relu and abs).</summary>
    public static Tensor AwayFromZero(RandomGenerator random, float margin, params int[] shape)
    {
        var t = Tensor.RandomNormal(random, 0f, 1f, shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = d[i] >= 0 ? d[i] + margin : d[i] - margin;
        return t.WithGrad();
    }

    /// <summary>A leaf tensor of values in [low, high) that requires a gradient.</summary>
    public static Tensor Positive(RandomGenerator random, float low, float high, params int[] shape) =>
        Tensor.RandomUniform(random, low, high, shape).WithGrad();
}
