using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// DirectConvolution (the AVX-512 kernel, when this process runs it, and its scalar twin always) against a plain
/// convolution written from the definition in double, reading the input with bounds checks instead of a padded copy.
/// Shapes cover odd sizes, strides, unequal pads, a window larger than the stride, no padding at all, output channels
/// that are not a multiple of the 64-channel block (edge blocks of 1..63 channels), depths past the chunking threshold,
/// residual and ReLU, and one and two threads.
/// </summary>
[Trait("Category", "Kernels")]
public class DirectConvolutionTests
{
    // H, W, C, KH, KW, stride, pad top, left, bottom, right, O
    private static readonly int[][] Cases =
    [
        [7, 9, 3, 3, 3, 1, 1, 1, 1, 1, 70],
        [13, 11, 3, 7, 7, 2, 3, 3, 2, 2, 64],
        [5, 5, 17, 1, 1, 2, 0, 0, 0, 0, 33],
        [6, 7, 9, 3, 3, 1, 0, 0, 0, 0, 32],
        [5, 5, 300, 3, 3, 1, 1, 1, 1, 1, 64],
        [3, 2, 1, 2, 3, 3, 1, 2, 0, 1, 1],
        [8, 8, 16, 3, 3, 2, 1, 1, 0, 0, 130],
        [9, 4, 5, 3, 1, 1, 2, 0, 0, 0, 96],
    ];

    public static TheoryData<int, bool, bool, int> Configurations()
    {
        var data = new TheoryData<int, bool, bool, int>();
        for (int i = 0; i < Cases.Length; i++)
        {
            data.Add(i, false, false, 1);
            data.Add(i, true, true, 1);
            data.Add(i, true, false, 2);
        }
        return data;
    }

    private sealed class Problem
    {
        public readonly ConvolutionShape Shape;
        public readonly float[] Input, Weights, Bias, Residual;
        public readonly PackedMatrix Kernel;

        public Problem(int[] c, bool withResidual)
        {
            int outH = ImageRows.OutputSize(c[0], c[3], c[5], c[6], c[8]), outW = ImageRows.OutputSize(c[1], c[4], c[5], c[7], c[9]);
            Shape = new ConvolutionShape(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], outH, outW, c[10]);
            var r = new RandomGenerator((ulong)(c.Sum() * 7 + (withResidual ? 1 : 0)));
            Input = Tensor.RandomNormal(r, 0, 1, c[0] * c[1] * c[2]).ToArray();
            Weights = Tensor.RandomNormal(r, 0, 1, Shape.Depth * c[10]).ToArray();   // (ki, kj, c) x O
            Bias = [.. Tensor.RandomNormal(r, 0, 1, c[10]).ToArray(), .. new float[DirectConvolution.BiasLength(c[10]) - c[10]]];
            Residual = withResidual ? Tensor.RandomNormal(r, 0, 1, Shape.Positions * c[10]).ToArray() : [];
            Kernel = Gemm.PackB(false, Shape.Depth, c[10], Weights, c[10]);
        }

        /// <summary>The definition: out[y, x, o] = act(b[o] + r[y, x, o] + Σ in[y·s − top + ki, x·s − left + kj, c]·w[(ki, kj, c), o]), and a scale for the tolerance.</summary>
        public (float[] Value, float[] Scale) Expected(bool relu)
        {
            var s = Shape;
            var value = new float[s.Positions * s.OutChannels];
            var scale = new float[value.Length];
            for (int y = 0; y < s.OutH; y++)
                for (int x = 0; x < s.OutW; x++)
                    for (int o = 0; o < s.OutChannels; o++)
                    {
                        int at = (y * s.OutW + x) * s.OutChannels + o;
                        double sum = Bias[o] + (Residual.Length > 0 ? Residual[at] : 0), magnitude = Math.Abs(sum);
                        for (int ki = 0; ki < s.KernelH; ki++)
                            for (int kj = 0; kj < s.KernelW; kj++)
                            {
                                int iy = y * s.Stride - s.PadTop + ki, ix = x * s.Stride - s.PadLeft + kj;
                                if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                                for (int c = 0; c < s.Channels; c++)
                                {
                                    double term = (double)Input[(iy * s.Width + ix) * s.Channels + c] * Weights[((ki * s.KernelW + kj) * s.Channels + c) * s.OutChannels + o];
                                    sum += term;
                                    magnitude += Math.Abs(term);
                                }
                            }
                        value[at] = (float)(relu ? Math.Max(sum, 0) : sum);
                        scale[at] = (float)magnitude;
                    }
            return (value, scale);
        }
    }

    private static void AssertClose(float[] expected, float[] scale, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * scale[i] + 1e-6f,
                $"{what}: element {i} is {actual[i]}, expected {expected[i]} (scale {scale[i]})");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Both_paths_equal_the_definition(int index, bool residual, bool relu, int threads)
    {
        var problem = new Problem(Cases[index], residual);
        var (expected, scale) = problem.Expected(relu);
        var scratch = new float[Math.Max(1, problem.Shape.ScratchSize)];

        var scalar = new float[expected.Length];
        DirectConvolution.RunScalar(problem.Shape, problem.Input, problem.Kernel, problem.Bias, problem.Residual, relu, scalar, scratch);
        AssertClose(expected, scale, scalar, $"scalar {problem.Shape}");

        if (!DirectConvolution.Accelerated(problem.Kernel)) return;   // the child processes without AVX-512 test the scalar twin only
        var vector = new float[expected.Length];
        DirectConvolution.Run(problem.Shape, problem.Input, problem.Kernel, problem.Bias, problem.Residual, relu, vector, scratch, threads);
        AssertClose(expected, scale, vector, $"vector {problem.Shape} threads={threads}");
    }

    [Fact]
    public void A_kernel_that_does_not_match_the_shape_is_refused()
    {
        var problem = new Problem(Cases[0], false);
        var wrong = problem.Shape with { Channels = 4 };
        var output = new float[problem.Shape.Positions * problem.Shape.OutChannels];
        var e = Assert.Throws<ArgumentException>(() => DirectConvolution.RunScalar(wrong, new float[7 * 9 * 4], problem.Kernel, problem.Bias, [], false, output, new float[wrong.ScratchSize]));
        Assert.Contains("kernel", e.Message);
    }
}
