using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>2-D max pooling with a square window.</summary>
public sealed class MaxPool2d : Module, ILayer
{
    /// <summary>Creates the layer; the stride defaults to the window size.</summary>
    public MaxPool2d(int kernelSize, int stride = 0, int padding = 0)
    {
        KernelSize = kernelSize;
        Stride = stride == 0 ? kernelSize : stride;
        Padding = padding;
    }

    /// <summary>The window size.</summary>
    public int KernelSize { get; }

    /// <summary>The step between windows.</summary>
    public int Stride { get; }

    /// <summary>The border (of -∞) added on each side.</summary>
    public int Padding { get; }

    /// <summary>Pools (N, C, H, W).</summary>
    public Tensor Forward(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding);
}
