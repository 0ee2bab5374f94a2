using RecurrentSharp.Kernels;
using RecurrentSharp.Models.Vision;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models.Vision;

/// <summary>The network's own rewriting: a convolution and the residual Add after it become one step with the same result.</summary>
public class FrozenConvNetTests
{
    private static (ImageShape[] Shapes, FrozenConvNetStep[] Steps, float[] Image, float[] Weights, float[] Bias) Block()
    {
        var shape = new ImageShape(6, 5, 8);
        var r = new RandomGenerator(3);
        var weights = Tensor.RandomNormal(r, 0, 1, 3 * 3 * 8 * 8).ToArray();
        var bias = Tensor.RandomNormal(r, 0, 1, 8).ToArray();
        var conv = new ConvolutionStep(0, 1, Gemm.PackB(false, 72, 8, weights, 8), bias, 3, 3, 1, 1, 1, Relu: false);
        var add = new AddStep(1, 0, 2, Relu: true);
        return ([shape, shape, shape], [conv, add], Tensor.RandomNormal(r, 0, 1, shape.Size).ToArray(), weights, bias);
    }

    [Fact]
    public void A_convolution_and_the_residual_add_after_it_run_as_one_step_with_the_same_result()
    {
        var (shapes, steps, image, _, _) = Block();
        var network = new FrozenConvNet(shapes, steps, output: 2, grid: null);
        var fused = Assert.Single(network.Steps);
        Assert.Equal(0, Assert.IsType<ConvolutionStep>(fused).Residual);

        // Unfused reference: the convolution alone (the network whose output is the convolution's), then add and ReLU by hand.
        var alone = new FrozenConvNet(shapes, steps[..1], output: 1, grid: null);
        var workspace = alone.CreateWorkspace();
        alone.Run(image, workspace);
        var expected = workspace.Value(1).ToArray().Select((v, i) => Math.Max(v + image[i], 0f)).ToArray();

        var fusedWorkspace = network.CreateWorkspace();
        network.Run(image, fusedWorkspace);
        var actual = fusedWorkspace.Value(2).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void A_convolution_whose_result_is_also_read_elsewhere_is_not_fused()
    {
        var (shapes, steps, _, _, _) = Block();
        var network = new FrozenConvNet(shapes, steps, output: 2, grid: 1);   // the grid reads the convolution's result too
        Assert.Equal(2, network.Steps.Count);
    }
}
