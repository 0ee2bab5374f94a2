namespace RecurrentSharp.Kernels;

/// <summary>
/// The im2col / col2im rearrangements that turn a 2-D convolution into one matrix product:
/// each column of the (C·KH·KW) x (OH·OW) matrix holds the input patch under one output position.
/// </summary>
public static class ImageColumns
{
    /// <summary>Output size of a convolution or pooling along one axis.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// Copies the patches of one image (C, H, W) into columns (C·KH·KW, OH·OW); positions that fall
    /// into the zero padding read 0.
    /// </summary>
    public static void ToColumns(ReadOnlySpan<float> image, int channels, int height, int width,
        int kernelH, int kernelW, int stride, int padding, Span<float> columns)
    {
        int outH = OutputSize(height, kernelH, stride, padding), outW = OutputSize(width, kernelW, stride, padding);
        int positions = outH * outW;
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kernelH; ki++)
                for (int kj = 0; kj < kernelW; kj++)
                {
                    var row = columns.Slice(((c * kernelH + ki) * kernelW + kj) * positions, positions);
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int y = oy * stride - padding + ki;
                        for (int ox = 0; ox < outW; ox++)
                        {
                            int x = ox * stride - padding + kj;
                            row[oy * outW + ox] = (uint)y < (uint)height && (uint)x < (uint)width
                                ? image[(c * height + y) * width + x] : 0f;
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="ToColumns"/>: adds every column entry back onto the image pixel it came from.</summary>
    public static void AddFromColumns(ReadOnlySpan<float> columns, int channels, int height, int width,
        int kernelH, int kernelW, int stride, int padding, Span<float> image)
    {
        int outH = OutputSize(height, kernelH, stride, padding), outW = OutputSize(width, kernelW, stride, padding);
        int positions = outH * outW;
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kernelH; ki++)
                for (int kj = 0; kj < kernelW; kj++)
                {
                    var row = columns.Slice(((c * kernelH + ki) * kernelW + kj) * positions, positions);
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int y = oy * stride - padding + ki;
                        if ((uint)y >= (uint)height) continue;
                        for (int ox = 0; ox < outW; ox++)
                        {
                            int x = ox * stride - padding + kj;
                            if ((uint)x < (uint)width) image[(c * height + y) * width + x] += row[oy * outW + ox];
                        }
                    }
                }
    }
}
