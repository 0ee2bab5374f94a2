using System.Numerics.Tensors;

namespace RecurrentSharp.Kernels;

/// <summary>Max and global-average pooling of channels-last images (H, W, C), padding per side as ONNX gives it.</summary>
public static class ChannelsLastPooling
{
    /// <summary>
    /// Max over each kernelH x kernelW window (positions in the padding are left out, as ONNX's -∞ padding does);
    /// <paramref name="output"/> is outH x outW x channels.
    /// </summary>
    public static void Max(ReadOnlySpan<float> image, int height, int width, int channels, int kernelH, int kernelW, int stride,
        int padTop, int padLeft, int outH, int outW, Span<float> output)
    {
        for (int oy = 0; oy < outH; oy++)
            for (int ox = 0; ox < outW; ox++)
            {
                var target = output.Slice((oy * outW + ox) * channels, channels);
                target.Fill(float.NegativeInfinity);
                for (int ki = 0; ki < kernelH; ki++)
                {
                    int y = oy * stride - padTop + ki;
                    if ((uint)y >= (uint)height) continue;
                    for (int kj = 0; kj < kernelW; kj++)
                    {
                        int x = ox * stride - padLeft + kj;
                        if ((uint)x >= (uint)width) continue;
                        TensorPrimitives.Max(target, image.Slice((y * width + x) * channels, channels), target);
                    }
                }
            }
    }

    /// <summary>The mean over all positions of each channel: <paramref name="output"/> has <paramref name="channels"/> values.</summary>
    public static void GlobalAverage(ReadOnlySpan<float> image, int positions, int channels, Span<float> output)
    {
        var target = output[..channels];
        target.Clear();
        for (int p = 0; p < positions; p++) TensorPrimitives.Add(target, image.Slice(p * channels, channels), target);
        TensorPrimitives.Multiply(target, 1f / positions, target);
    }
}
