namespace RecurrentSharp.Data.Images;

/// <summary>
/// What a pretrained CNN expects of its input, as the preprocessing graph beside it computes it: an RGB image of
/// <see cref="Width"/> x <see cref="Height"/> with values 0..255, channels reordered (ML.NET's ResNet-18 takes
/// B, G, R), a mean subtracted per channel and pixel (a mean image) and divided by a scale per channel and pixel
/// (1 where the graph divides by nothing). The result is channels-last, the layout of <c>Models.Vision.FrozenConvNet</c>.
/// </summary>
public sealed class ImagePreprocessing
{
    /// <summary>
    /// Creates the preprocessing. <paramref name="channelOrder"/>[c] is the RGB channel (0 = R) that becomes channel c;
    /// <paramref name="mean"/> and <paramref name="scale"/> are (3, height, width) in the reordered channels.
    /// </summary>
    public ImagePreprocessing(int width, int height, int[] channelOrder, float[] mean, float[] scale)
    {
        if (channelOrder.Length != 3 || channelOrder.Order().Select((c, i) => c == i).Contains(false))
            throw new ArgumentException("The channel order must be a permutation of 0, 1, 2.", nameof(channelOrder));
        if (mean.Length != 3 * width * height || scale.Length != mean.Length)
            throw new ArgumentException($"The mean and scale must hold 3 x {height} x {width} values.", nameof(mean));
        Width = width;
        Height = height;
        ChannelOrder = channelOrder;
        Mean = mean;
        Scale = scale;
    }

    /// <summary>The input width the network takes.</summary>
    public int Width { get; }

    /// <summary>The input height the network takes.</summary>
    public int Height { get; }

    /// <summary>Which RGB channel becomes each input channel.</summary>
    public int[] ChannelOrder { get; }

    /// <summary>Subtracted, (3, H, W).</summary>
    public float[] Mean { get; }

    /// <summary>Divided by after the subtraction, (3, H, W).</summary>
    public float[] Scale { get; }

    /// <summary>
    /// Fills <paramref name="channelsLast"/> (H x W x 3) from <paramref name="image"/>, which is first squashed to
    /// <see cref="Width"/> x <see cref="Height"/> (<see cref="ImageResampler.Squash"/>) when it is another size.
    /// </summary>
    public void Apply(RgbImage image, Span<float> channelsLast)
    {
        image = ImageResampler.Squash(image, Width, Height);
        int plane = Width * Height;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                channelsLast[p * 3 + c] = (image.Pixels[p * 3 + ChannelOrder[c]] - Mean[c * plane + p]) / Scale[c * plane + p];
    }

    /// <summary>The same values in the (3, H, W) layout ONNX graphs take (for comparing with ONNX Runtime).</summary>
    public float[] ToChannelsFirst(RgbImage image)
    {
        int plane = Width * Height;
        var last = new float[3 * plane];
        Apply(image, last);
        var first = new float[3 * plane];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) first[c * plane + p] = last[p * 3 + c];
        return first;
    }
}
