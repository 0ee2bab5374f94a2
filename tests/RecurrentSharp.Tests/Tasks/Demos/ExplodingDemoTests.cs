using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>The exploding demo: y = w^999 and dy/dw = 999 w^998 as computed in double, and a clipped step bounded by lr · max_norm.</summary>
public class ExplodingDemoTests
{
    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-3 * Math.Abs(expected) + 1e-30, $"{what}: {actual}, expected {expected}");

    [Fact]
    public void Y_is_w_to_the_999_and_its_gradient_999_w_to_the_998()
    {
        var result = ExplodingDemo.Run();
        Assert.Equal(ExplodingDemo.Weights, result.Rows.Select(r => r.W));
        foreach (var row in result.Rows)
        {
            double w = row.W;   // the float32 weight the layer used
            Close(Math.Pow(w, 999), row.Y, $"w^999 at {w}");
            Close(999 * Math.Pow(w, 998), row.Gradient, $"999 w^998 at {w}");
        }
        // The reading: 1, about 20,000, about 0, about 0.
        Assert.Equal(1f, result.Rows[0].Y);
        Assert.InRange(result.Rows[1].Y, 19_000f, 22_000f);
        Assert.InRange(result.Rows[2].Y, 0f, 1e-4f);
        Assert.InRange(result.Rows[3].Y, 0f, 1e-30f);
    }

    [Fact]
    public void Clipping_bounds_the_step_and_keeps_its_direction()
    {
        var result = ExplodingDemo.Run();
        var (plain, clipped) = (result.Unclipped, result.Clipped);
        double w = ExplodingDemo.StepWeight, y = Math.Pow(w, 999);
        Close((y - 1) * (y - 1), plain.Loss, "loss");
        Close(2 * (y - 1) * 999 * Math.Pow(w, 998), plain.Gradient, "dL/dw");
        // Unclipped: the step is lr · gradient, far off the cliff.
        Assert.Equal(plain.Gradient, plain.UsedGradient);
        Close(w - ExplodingDemo.LearningRate * (double)plain.Gradient, plain.WAfter, "w after the plain step");
        Assert.True(Math.Abs(plain.WAfter - plain.W) > 1e6);
        // Clipped: the same direction, |Δw| ≤ lr · max_norm.
        Assert.False(plain.Clipped);
        Assert.True(clipped.Clipped);
        Assert.Equal(Math.Sign(plain.Gradient), Math.Sign(clipped.UsedGradient));
        Assert.True(Math.Abs(clipped.UsedGradient) <= ExplodingDemo.MaxNorm * (1 + 1e-6));
        Assert.True(Math.Abs(clipped.WAfter - clipped.W) <= ExplodingDemo.LearningRate * ExplodingDemo.MaxNorm * (1 + 1e-5));
        Assert.True(clipped.LossAfter < clipped.Loss);
    }

    [Fact]
    public void The_loss_scan_is_lowest_at_w_1_and_steep_around_it()
    {
        var result = ExplodingDemo.Run();
        int best = result.ScanLoss.Select((v, i) => (v, i)).MinBy(p => p.v).i;
        Assert.Equal(1.0, result.ScanW[best], 1e-4);
        Assert.True(result.ScanLoss[^1] > 1e6f * result.ScanLoss.Where(v => v > 0).Min());
    }
}
