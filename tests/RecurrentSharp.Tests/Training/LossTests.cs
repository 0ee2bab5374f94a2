using RecurrentSharp.Data;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Training;

/// <summary>
/// Losses against finite differences, hand-computed values, and values printed once by PyTorch 1.13
/// (torch.nn.functional.cross_entropy / binary_cross_entropy_with_logits / mse_loss / l1_loss / huber_loss
/// on the inputs below) and pasted here as constants.
/// </summary>
public class LossTests
{
    // (B = 2, T = 3, C = 4) logits and targets; -100 (PyTorch's ignore_index) marks padding at b = 1, t = 1.
    private static readonly float[] SequenceLogits =
    [
        0.2f, -1.3f, 0.8f, 2.1f, 1.5f, 0.3f, -0.7f, 0.0f, -2.0f, 0.4f, 1.1f, -0.3f,
        0.9f, 0.9f, -1.2f, 0.5f, 3.0f, -0.5f, 0.2f, 1.7f, -0.1f, 2.2f, -1.6f, 0.6f,
    ];

    private static readonly int[] SequenceTargets = [1, 0, 3, 2, -100, 1];
    private static readonly float[] ClassWeights = [0.5f, 1.0f, 2.0f, 1.5f];

    private static Tensor Logits() => Tensor.FromArray(SequenceLogits, 2, 3, 4).WithGrad();

    public static TheoryData<string, bool, double, float[], float, float, float[]> PyTorchCrossEntropy() => new()
    {
        // case, weights?, label smoothing, per-position (reduction none), sum, mean, d mean / d logits
        { "plain", false, 0.0, [3.77533126f, 0.491720796f, 1.98122716f, 3.12703609f, 0.0f, 0.281054795f], 9.656370162963867f, 1.9312740564346313f,
            [0.0205525737f, -0.195414111f, 0.0374492258f, 0.13741231f, -0.0776853785f, 0.0368404537f, 0.0135528445f, 0.0272920821f, 0.00503840949f, 0.055539269f, 0.111842349f, -0.172420025f,
             0.0716133192f, 0.0716133192f, -0.191230491f, 0.0480038449f, 0f, 0f, 0f, 0f, 0.0151388263f, -0.0490026139f, 0.00337792723f, 0.0304858442f] },
        { "weights", true, 0.0, [3.77533126f, 0.245860398f, 2.97184086f, 6.25407219f, 0.0f, 0.281054795f], 13.528159141540527f, 2.2546932697296143f,
            [0.0171271451f, -0.16284509f, 0.0312076882f, 0.114510261f, -0.0323689096f, 0.0153501891f, 0.00564701855f, 0.011371701f, 0.00629801163f, 0.0694240853f, 0.139802933f, -0.215525031f,
             0.11935553f, 0.11935553f, -0.31871748f, 0.0800064057f, 0f, 0f, 0f, 0f, 0.0126156881f, -0.0408355109f, 0.00281493925f, 0.0254048705f] },
        { "smoothing", false, 0.1, [3.60033131f, 0.614220798f, 1.97122717f, 2.97953606f, 0.0f, 0.47355479f], 9.638870239257812f, 1.9277740716934204f,
            [0.0155525701f, -0.180414096f, 0.0324492194f, 0.132412285f, -0.0626853853f, 0.0318404473f, 0.00855284277f, 0.0222920775f, 3.84091181e-05f, 0.0505392663f, 0.106842339f, -0.157420009f,
             0.0666133165f, 0.0666133165f, -0.176230475f, 0.0430038422f, 0f, 0f, 0f, 0f, 0.0101388237f, -0.0340026207f, -0.00162207324f, 0.0254858416f] },
        { "weights and smoothing", true, 0.1, [3.61846447f, 0.478989452f, 2.85606003f, 5.87704468f, 0.0f, 0.566831172f], 13.397388458251953f, 2.232898235321045f,
            [0.0154719874f, -0.150249526f, 0.0236545447f, 0.111123003f, -0.0184742399f, 0.0134860501f, -0.00183926255f, 0.00682745501f, 0.00410971092f, 0.0641003475f, 0.129139543f, -0.197349593f,
             0.112796351f, 0.11071302f, -0.294265538f, 0.0707561523f, 0f, 0f, 0f, 0f, 0.0108477455f, -0.0251897275f, -0.00544802146f, 0.01978999f] },
    };

    [Theory]
    [MemberData(nameof(PyTorchCrossEntropy))]
    public void Cross_entropy_over_time_matches_pytorch(string name, bool weighted, double smoothing, float[] none, float sum, float mean, float[] meanGrad)
    {
        var weight = weighted ? Tensor.FromArray(ClassWeights) : null;
        var perPosition = Losses.CrossEntropy(Logits(), SequenceTargets, weight, reduction: Reduction.None, labelSmoothing: smoothing);
        Assert.Equal(new[] { 2, 3 }, perPosition.GetShape());
        TensorAssert.Close(none, perPosition.Data, 1e-6, name + " none");
        Assert.Equal(sum, Losses.CrossEntropy(Logits(), SequenceTargets, weight, reduction: Reduction.Sum, labelSmoothing: smoothing).Item(), 5);
        var logits = Logits();
        var loss = Losses.CrossEntropy(logits, SequenceTargets, weight, labelSmoothing: smoothing);
        Assert.Equal(mean, loss.Item(), 6);
        loss.Backward();
        TensorAssert.Close(meanGrad, logits.Grad!.Data, 1e-6, name + " gradient");
    }

    [Fact]
    public void Cross_entropy_mask_equals_ignore_index_and_batch_first_is_just_a_reordering()
    {
        var mask = Tensor.FromArray([1f, 1f, 1f, 1f, 0f, 1f], 2, 3);
        int[] targets = [1, 0, 3, 2, 0, 1]; // the padded position holds a real class; the mask hides it
        var masked = Losses.CrossEntropy(Logits(), targets, mask: mask, labelSmoothing: 0.1).Item();
        var ignored = Losses.CrossEntropy(Logits(), SequenceTargets, labelSmoothing: 0.1).Item();
        Assert.Equal(ignored, masked);
        // (B, T, C) -> (T, B, C): the same positions in another order give the same mean.
        var timeMajor = Tensor.FromArray(SequenceLogits, 2, 3, 4).Transpose(0, 1);
        int[] timeMajorTargets = [1, 2, 0, -100, 3, 1];
        Assert.Equal(ignored, Losses.CrossEntropy(timeMajor, timeMajorTargets, labelSmoothing: 0.1).Item(), 6);
    }

    [Fact]
    public void Cross_entropy_matches_a_hand_computed_value_and_survives_extreme_logits()
    {
        // Two classes with logits (0, ln 3): p = (1/4, 3/4); target 0 -> −log(1/4) = ln 4.
        var loss = Losses.CrossEntropy(Tensor.FromArray([0f, MathF.Log(3f)], 1, 2), [0]).Item();
        Assert.Equal(Math.Log(4), loss, 6);
        // PyTorch: cross_entropy([[1000, -1000, 0], [-50, 50, 49]], [1, 2], reduction='sum') = 2001.313232421875
        var logits = Tensor.FromArray([1000f, -1000f, 0f, -50f, 50f, 49f], 2, 3).WithGrad();
        var extreme = Losses.CrossEntropy(logits, [1, 2], reduction: Reduction.Sum);
        Assert.Equal(2001.313232421875f, extreme.Item());
        extreme.Backward();
        TensorAssert.Close([1f, -1f, 0f, 2.66246708e-44f, 0.731058598f, -0.731058598f], logits.Grad!.Data, 1e-6, "extreme gradient");
    }

    [Fact]
    public void Cross_entropy_gradients_match_finite_differences()
    {
        var r = new RandomGenerator(11);
        var logits = Input(r, 3, 2, 5);
        int[] targets = [0, 4, 2, -100, 1, 3];
        var weight = Tensor.FromArray([0.3f, 1.2f, 0.8f, 2.0f, 1.0f]);
        var mask = Tensor.FromArray([1f, 1f, 0f, 1f, 1f, 1f], 3, 2);
        foreach (var reduction in new[] { Reduction.None, Reduction.Sum, Reduction.Mean })
            AssertGradientsMatch(() => Losses.CrossEntropy(logits, targets, weight, reduction: reduction, labelSmoothing: 0.2, mask: mask), [logits]);
        AssertGradientsMatch(() => Losses.CrossEntropy(logits.Reshape(6, 5), targets), [logits]);
    }

    [Fact]
    public void Cross_entropy_rejects_bad_targets_and_shapes_and_gives_nan_when_nothing_counts()
    {
        var logits = Tensor.Zeros(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(logits, [0, 3]));
        Assert.Throws<TensorShapeException>(() => Losses.CrossEntropy(logits, [0]));
        Assert.Throws<TensorShapeException>(() => Losses.CrossEntropy(logits, [0, 1], weight: Tensor.Ones(2)));
        Assert.Throws<TensorShapeException>(() => Losses.CrossEntropy(logits, [0, 1], mask: Tensor.Ones(3)));
        Assert.True(float.IsNaN(Losses.CrossEntropy(logits, [-100, -100]).Item()));
        Assert.Equal(0f, Losses.CrossEntropy(logits, [-100, -100], reduction: Reduction.Sum).Item());
    }

    private static readonly float[] BceLogits = [-30f, -2f, -0.5f, 0f, 0.7f, 3f, 40f];
    private static readonly float[] BceTargets = [0f, 1f, 0.3f, 1f, 0f, 1f, 0f];

    [Fact]
    public void Binary_cross_entropy_with_logits_matches_pytorch_and_is_stable()
    {
        var x = Tensor.FromArray(BceLogits).WithGrad();
        var y = Tensor.FromArray(BceTargets).WithGrad();
        TensorAssert.Close([0.0f, 2.12692809f, 0.624076962f, 0.693147182f, 1.10318613f, 0.0485873297f, 40.0f],
            Losses.BinaryCrossEntropyWithLogits(x, y, Reduction.None).Data, 1e-6, "none");
        var loss = Losses.BinaryCrossEntropyWithLogits(x, y);
        Assert.Equal(6.370845794677734, loss.Item(), 6e-6); // PyTorch sums in float32, we in double
        loss.Backward();
        TensorAssert.Close([1.33680341e-14f, -0.125828162f, 0.0110772382f, -0.0714285746f, 0.0954553932f, -0.00677512353f, 0.142857149f], x.Grad!.Data, 1e-6, "d/dx");
        TensorAssert.Close([4.28571415f, 0.285714298f, 0.0714285746f, -0.0f, -0.100000001f, -0.428571433f, -5.71428585f], y.Grad!.Data, 1e-6, "d/dy");
        // Hand value: x = 0, y = 1 -> log 2.
        Assert.Equal(Math.Log(2), Losses.BinaryCrossEntropyWithLogits(Tensor.Zeros(1), Tensor.Ones(1)).Item(), 6);
    }

    public static TheoryData<string, float[], float, float, float[]> PyTorchRegression() => new()
    {
        // loss, per element (none), sum, mean, d mean / d input; input and target below
        { "mse", [0.160000011f, 0.0400000177f, 4.0f, 0.0f, 2.56000018f, 5.76000023f], 12.520000457763672f, 2.0866668224334717f,
            [0.13333334f, -0.066666685f, 0.666666687f, 0.0f, -0.533333361f, 0.800000072f] },
        { "l1", [0.400000006f, 0.200000048f, 2.0f, 0.0f, 1.60000002f, 2.4000001f], 6.600000381469727f, 1.100000023841858f,
            [0.166666672f, -0.166666672f, 0.166666672f, 0.0f, -0.166666672f, 0.166666672f] },
        { "huber0.7", [0.0800000057f, 0.0200000089f, 1.15499997f, 0.0f, 0.875f, 1.43500006f], 3.565000057220459f, 0.5941666960716248f,
            [0.0666666701f, -0.0333333425f, 0.116666667f, 0.0f, -0.116666667f, 0.116666667f] },
        { "huber1", [0.0800000057f, 0.0200000089f, 1.5f, 0.0f, 1.10000002f, 1.9000001f], 4.600000381469727f, 0.7666667103767395f,
            [0.0666666701f, -0.0333333425f, 0.166666672f, 0.0f, -0.166666672f, 0.166666672f] },
    };

    private static Tensor Regression(string name, Tensor x, Tensor y, Reduction reduction) => name switch
    {
        "mse" => Losses.MeanSquaredError(x, y, reduction),
        "l1" => Losses.MeanAbsoluteError(x, y, reduction),
        "huber0.7" => Losses.Huber(x, y, 0.7, reduction),
        _ => Losses.Huber(x, y, reduction: reduction),
    };

    [Theory]
    [MemberData(nameof(PyTorchRegression))]
    public void Regression_losses_match_pytorch(string name, float[] none, float sum, float mean, float[] meanGrad)
    {
        var x = Tensor.FromArray([0.5f, -1.2f, 2.0f, 0.3f, -0.6f, 1.9f], 2, 3).WithGrad();
        var y = Tensor.FromArray([0.1f, -1.0f, 0.0f, 0.3f, 1.0f, -0.5f], 2, 3);
        TensorAssert.Close(none, Regression(name, x, y, Reduction.None).Data, 1e-6, name);
        Assert.Equal(sum, Regression(name, x, y, Reduction.Sum).Item(), 5);
        var loss = Regression(name, x, y, Reduction.Mean);
        Assert.Equal(mean, loss.Item(), 6);
        loss.Backward();
        TensorAssert.Close(meanGrad, x.Grad!.Data, 1e-6, name + " gradient");
    }

    [Fact]
    public void Elementwise_loss_gradients_match_finite_differences_for_input_and_target()
    {
        var r = new RandomGenerator(3);
        var x = AwayFromZero(r, 0.2f, 4, 3);
        var y = Input(r, 4, 3);
        // Keep x − y away from the kinks of |d| and of Huber's branches.
        for (int i = 0; i < x.Length; i++)
            if (Math.Abs(Math.Abs(x.Data[i] - y.Data[i]) - 0.8) < 0.1 || Math.Abs(x.Data[i] - y.Data[i]) < 0.1) y.Data[i] += 0.35f;
        var mask = Tensor.FromArray([1f, 0f, 1f, 1f], 4, 1); // broadcast over the last axis
        var probabilities = Tensor.RandomUniform(r, 0f, 1f, 4, 3).WithGrad();
        foreach (var reduction in new[] { Reduction.None, Reduction.Sum, Reduction.Mean })
        {
            AssertGradientsMatch(() => Losses.MeanSquaredError(x, y, reduction, mask), [x, y]);
            AssertGradientsMatch(() => Losses.MeanAbsoluteError(x, y, reduction, mask), [x, y]);
            AssertGradientsMatch(() => Losses.Huber(x, y, 0.8, reduction, mask), [x, y]);
            AssertGradientsMatch(() => Losses.BinaryCrossEntropyWithLogits(x, probabilities, reduction, mask), [x, probabilities]);
        }
    }

    [Fact]
    public void Masked_mean_averages_only_the_real_steps()
    {
        // Two sequences of lengths 3 and 1 padded to T = 3 (time-major); squared errors 1, 4, 9 | 16, (pad), (pad).
        var mask = SequenceMask.FromLengths([3, 1], 3, SequenceLayout.TimeMajor);
        Assert.Equal(new[] { 1f, 1f, 1f, 0f, 1f, 0f }, mask.ToArray());
        var x = Tensor.FromArray([1f, 4f, 2f, 100f, 3f, 100f], 3, 2);
        var loss = Losses.MeanSquaredError(x, Tensor.Zeros(3, 2), mask: mask);
        Assert.Equal((1 + 16 + 4 + 9) / 4f, loss.Item());
        Assert.Equal(new[] { 1f, 1f, 1f, 1f, 0f, 0f }, SequenceMask.FromLengths([3, 1], 3, SequenceLayout.BatchFirst).ToArray());
        Assert.Throws<TensorShapeException>(() => Losses.MeanSquaredError(x, Tensor.Zeros(2, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceMask.FromLengths([4], 3, SequenceLayout.TimeMajor));
    }
}
