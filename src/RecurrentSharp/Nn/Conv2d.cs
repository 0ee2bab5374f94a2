using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>A 2-D convolution layer over (N, C, H, W) images, PyTorch's layout and default init.</summary>
public sealed class Conv2d : Module, ILayer
{
    /// <summary>Creates the layer with a square kernel.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Stride = stride;
        Padding = padding;
        float bound = 1f / MathF.Sqrt(inChannels * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.RandomUniform(random, -bound, bound, outChannels, inChannels, kernelSize, kernelSize));
        if (bias) Bias = RegisterParameter("bias", Tensor.RandomUniform(random, -bound, bound, outChannels));
    }

    /// <summary>The kernel (out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The step between windows.</summary>
    public int Stride { get; }

    /// <summary>The zero border added on each side.</summary>
    public int Padding { get; }

    /// <summary>Convolves (N, C, H, W) into (N, O, OH, OW).</summary>
    public Tensor Forward(Tensor input) => Tensor.Conv2d(input, Weight, Bias, Stride, Padding);
}
