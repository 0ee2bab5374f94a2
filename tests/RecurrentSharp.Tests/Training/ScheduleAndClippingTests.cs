using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>
/// Learning-rate schedules and gradient clipping against their formulas and against values printed once
/// by PyTorch 1.13 (torch.optim.lr_scheduler, torch.nn.utils.clip_grad_*), pasted as constants.
/// </summary>
public class ScheduleAndClippingTests
{
    private static Sgd Optimizer(double lr = 0.1) => new([Tensor.Zeros(1).WithGrad()], lr);

    /// <summary>The lr used by each of <paramref name="steps"/> optimizer steps, stepping the schedule after each.</summary>
    private static double[] Trajectory(LearningRateScheduler schedule, int steps)
    {
        var lrs = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            lrs[k] = schedule.Optimizer.LearningRate;
            schedule.Optimizer.Step();
            schedule.Step();
        }
        return lrs;
    }

    private static void AssertClose(double[] expected, double[] actual, double relative = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Abs(expected[i]), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void Step_lr_decays_every_step_size_epochs()
    {
        // PyTorch: StepLR(SGD(lr=0.1), step_size=3) (default gamma 0.1)
        AssertClose([0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002],
            Trajectory(new StepLR(Optimizer(), stepSize: 3), 8));
        var s = new StepLR(Optimizer(0.2), stepSize: 2, gamma: 0.5);
        for (int e = 0; e < 9; e++) Assert.Equal(0.2 * Math.Pow(0.5, e / 2), s.LearningRateAt(e), 15);
    }

    [Fact]
    public void Exponential_lr_multiplies_by_gamma_each_epoch()
    {
        // PyTorch: ExponentialLR(SGD(lr=0.1), gamma=0.9)
        AssertClose([0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05904900000000002],
            Trajectory(new ExponentialLR(Optimizer(), gamma: 0.9), 6));
    }

    [Fact]
    public void Cosine_annealing_is_periodic_and_not_clamped_after_t_max()
    {
        // PyTorch: CosineAnnealingLR(SGD(lr=0.1), T_max=3, eta_min=0.001); rises again after epoch 3.
        var lrs = Trajectory(new CosineAnnealingLR(Optimizer(), tMax: 3, etaMin: 0.001), 10);
        AssertClose([0.1, 0.07525000000000001, 0.025750000000000016, 0.001, 0.025749999999999995, 0.07525000000000005,
            0.10000000000000006, 0.07525000000000007, 0.025750000000000054, 0.001], lrs, 1e-13);
        for (int e = 0; e < 10; e++)
            Assert.Equal(0.001 + (0.1 - 0.001) * (1 + Math.Cos(Math.PI * e / 3)) / 2, lrs[e], 15);
    }

    [Fact]
    public void Linear_warm_up_ramps_the_factor_then_holds()
    {
        // PyTorch: LinearLR(SGD(lr=0.1)) with defaults start 1/3, end 1, total_iters 5.
        AssertClose([0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668, 0.1, 0.1, 0.1],
            Trajectory(new LinearLR(Optimizer()), 8));
        // PyTorch: LinearLR(SGD(lr=0.1), start_factor=0.25, end_factor=0.75, total_iters=3)
        AssertClose([0.025, 0.041666666666666664, 0.05833333333333333, 0.07499999999999998, 0.07499999999999998, 0.07499999999999998],
            Trajectory(new LinearLR(Optimizer(), 0.25, 0.75, 3), 6));
    }

    [Fact]
    public void Reduce_on_plateau_follows_pytorch_with_patience_cooldown_min_lr_and_nan()
    {
        // PyTorch: ReduceLROnPlateau(SGD(lr=0.1), patience=2, cooldown=1, factor=0.5, min_lr=0.01); lr after each step(metric).
        double[] metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.8999, 0.89, 0.89, 0.89, 0.89, 0.89, 0.89, 0.89, double.NaN, 0.5, 0.5, 0.5, 0.5];
        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.0125, 0.01];
        var optimizer = Optimizer();
        var plateau = new ReduceLROnPlateau(optimizer, patience: 2, cooldown: 1, factor: 0.5, minLr: 0.01);
        AssertClose(expected, metrics.Select(m => { plateau.Step(m); return optimizer.LearningRate; }).ToArray(), 0);

        // PyTorch: mode='max', threshold=0.1, threshold_mode='abs', patience=1
        optimizer = Optimizer();
        plateau = new ReduceLROnPlateau(optimizer, PlateauMode.Max, threshold: 0.1, thresholdMode: ThresholdMode.Absolute, patience: 1);
        AssertClose([0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002],
            new[] { 0.5, 0.55, 0.61, 0.6, 0.65, 0.7, 0.72, 0.2 }.Select(m => { plateau.Step(m); return optimizer.LearningRate; }).ToArray(), 0);
        Assert.Equal(0.72, plateau.Best); // 0.72 > 0.61 + 0.1 improved; 0.65 and 0.7 did not
    }

    [Fact]
    public void Reduce_on_plateau_has_pytorch_defaults_and_restores_its_state()
    {
        var optimizer = Optimizer();
        var a = new ReduceLROnPlateau(optimizer);
        Assert.Equal((PlateauMode.Min, 0.1, 10, 1e-4, ThresholdMode.Relative, 0, 0.0, 1e-8),
            (a.Mode, a.Factor, a.Patience, a.Threshold, a.ThresholdMode, a.Cooldown, a.MinLr, a.Eps));
        for (int e = 0; e < 7; e++) a.Step(1.0);
        var b = new ReduceLROnPlateau(optimizer);
        b.SetState(a.GetState());
        for (int e = 0; e < 5; e++) { a.Step(1.0); }
        Assert.Equal(0.01, optimizer.LearningRate, 15);       // the 11th bad epoch (after the first) cut the lr once
        Assert.Equal(1.0, b.Best);
        Assert.Equal(6, b.NumBadEpochs);
        Assert.Throws<ModelFormatException>(() => b.SetState(new Dictionary<string, double> { ["best"] = 1 }));
    }

    [Fact]
    public void Schedule_state_round_trips()
    {
        var optimizer = Optimizer(0.2);
        var cosine = new CosineAnnealingLR(optimizer, tMax: 10);
        Trajectory(cosine, 4);
        var other = new CosineAnnealingLR(Optimizer(0.7), tMax: 10);
        other.SetState(cosine.GetState());
        Assert.Equal(4, other.LastEpoch);
        Assert.Equal(optimizer.LearningRate, other.Optimizer.LearningRate);
        Assert.Throws<ModelFormatException>(() => other.SetState(new Dictionary<string, double> { ["last_epoch"] = 1.5, ["base_lr"] = 0.1 }));
    }

    private static Tensor[] GradientsForClipping()
    {
        var a = Tensor.Zeros(2, 3).WithGrad();
        var b = Tensor.Zeros(4).WithGrad();
        var none = Tensor.Zeros(2).WithGrad(); // no gradient: skipped
        a.Grad = Tensor.FromArray([1.5f, -2.0f, 0.25f, 3.0f, -0.5f, 1.0f], 2, 3);
        b.Grad = Tensor.FromArray([0.1f, -4.0f, 2.5f, 0.0f], 4);
        return [a, b, none];
    }

    [Theory]
    // PyTorch: clip_grad_norm_([a, b], max_norm, norm_type) -> (total norm, a.grad, b.grad)
    [InlineData(2.0, 2.0, 6.230770111083984,
        new[] { 0.48148131370544434f, -0.6419751048088074f, 0.08024688810110092f, 0.9629626274108887f, -0.16049377620220184f, 0.3209875524044037f },
        new[] { 0.03209875524044037f, -1.2839502096176147f, 0.8024688959121704f, 0.0f })]
    [InlineData(3.0, double.PositiveInfinity, 4.0,
        new[] { 1.124999761581421f, -1.4999996423721313f, 0.18749995529651642f, 2.249999523162842f, -0.37499991059303284f, 0.7499998211860657f },
        new[] { 0.07499998062849045f, -2.9999992847442627f, 1.8749995231628418f, 0.0f })]
    [InlineData(3.0, 1.0, 14.850000381469727,
        new[] { 0.3030302822589874f, -0.4040403664112091f, 0.05050504580140114f, 0.6060605645179749f, -0.10101009160280228f, 0.20202018320560455f },
        new[] { 0.020202018320560455f, -0.8080807328224182f, 0.5050504803657532f, 0.0f })]
    [InlineData(100.0, 2.0, 6.230770111083984,
        new[] { 1.5f, -2.0f, 0.25f, 3.0f, -0.5f, 1.0f },
        new[] { 0.1f, -4.0f, 2.5f, 0.0f })]
    public void Clip_grad_norm_matches_pytorch(double maxNorm, double normType, double expectedNorm, float[] expectedA, float[] expectedB)
    {
        var p = GradientsForClipping();
        float norm = GradientClipping.ClipGradNorm(p, maxNorm, normType);
        // The norm is accumulated in double (PyTorch sums float32 per-tensor norms), so allow one float32 ulp.
        Assert.True(Math.Abs(norm - expectedNorm) <= 1e-6 * expectedNorm, $"norm {norm}, PyTorch {expectedNorm}");
        TensorAssert.Close(expectedA, p[0].Grad!.Data, 1e-6, "a.grad");
        TensorAssert.Close(expectedB, p[1].Grad!.Data, 1e-6, "b.grad");
        Assert.Null(p[2].Grad);
    }

    [Fact]
    public void Clip_grad_norm_follows_its_formula_and_reports_non_finite_norms()
    {
        var p = GradientsForClipping();
        double sumSquares = new[] { 1.5, 2.0, 0.25, 3.0, 0.5, 1.0, 0.1, 4.0, 2.5 }.Sum(v => v * v);
        float norm = GradientClipping.ClipGradNorm(p, 1.0);
        Assert.Equal(Math.Sqrt(sumSquares), norm, 5);
        // After clipping, the norm is max_norm (up to the 1e-6 in the divisor).
        double after = p.Where(t => t.Grad is not null).SelectMany(t => t.Grad!.ToArray()).Sum(v => (double)v * v);
        Assert.Equal(1.0 * norm / (norm + 1e-6), Math.Sqrt(after), 6);

        p[0].Grad!.Data[0] = float.NaN;
        Assert.True(float.IsNaN(GradientClipping.ClipGradNorm(p, 1.0)));
        p[0].Grad!.Data[0] = float.PositiveInfinity;
        Assert.Throws<ArithmeticException>(() => GradientClipping.ClipGradNorm(p, 1.0, errorIfNonfinite: true));
        Assert.Equal(0f, GradientClipping.ClipGradNorm([Tensor.Zeros(3)], 1.0));
    }

    [Fact]
    public void Clip_grad_value_clamps_each_element()
    {
        var p = GradientsForClipping();
        GradientClipping.ClipGradValue(p, 1.25);
        Assert.Equal(new[] { 1.25f, -1.25f, 0.25f, 1.25f, -0.5f, 1.0f }, p[0].Grad!.ToArray());
        Assert.Equal(new[] { 0.1f, -1.25f, 1.25f, 0.0f }, p[1].Grad!.ToArray());
    }
}
