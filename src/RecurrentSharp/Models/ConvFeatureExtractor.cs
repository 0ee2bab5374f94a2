using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Models;

/// <summary>
/// A small CNN that turns an image (N, C, H, W) into a feature vector (N, featureSize) for a captioning
/// decoder: two blocks of 3x3 convolution, ReLU and 2x2 max pooling, then a fully connected layer.
/// </summary>
public sealed class ConvFeatureExtractor : Module, ILayer
{
    private readonly Sequential blocks;
    private readonly Linear head;

    /// <summary>Creates the extractor for images of the given size.</summary>
    public ConvFeatureExtractor(int channels, int height, int width, int featureSize, int filters = 16, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        blocks = RegisterModule("conv", new Sequential(
            new Conv2d(channels, filters, 3, padding: 1, random: random), Activation.Relu(), new MaxPool2d(2),
            new Conv2d(filters, 2 * filters, 3, padding: 1, random: random), Activation.Relu(), new MaxPool2d(2)));
        FlatSize = 2 * filters * (height / 4) * (width / 4);
        head = RegisterModule("fc", new Linear(FlatSize, featureSize, random: random));
        FeatureSize = featureSize;
    }

    /// <summary>The size of the flattened convolutional output.</summary>
    public int FlatSize { get; }

    /// <summary>The output feature size.</summary>
    public int FeatureSize { get; }

    /// <summary>(N, C, H, W) to (N, featureSize).</summary>
    public Tensor Forward(Tensor images)
    {
        var maps = blocks.Forward(images);
        return head.Forward(maps.Reshape(maps.Size(0), -1)).Relu();
    }
}
