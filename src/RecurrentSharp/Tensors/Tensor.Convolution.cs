using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch): input (N, C, H, W), weight (O, C, KH, KW),
    /// optional bias (O); output (N, O, OH, OW) with OH = (H + 2·padding - KH) / stride + 1.
    /// Computed per image as weight (O, C·KH·KW) times the im2col matrix (C·KH·KW, OH·OW).
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (input.Rank != 4 || weight.Rank != 4 || input.shape[1] != weight.shape[1] || (bias is not null && (bias.Rank != 1 || bias.shape[0] != weight.shape[0])))
            throw new TensorShapeException("Conv2d", $"input {TensorShape.Format(input.shape)}, weight {TensorShape.Format(weight.shape)}, bias {(bias is null ? "none" : TensorShape.Format(bias.shape))}: expected (N, C, H, W), (O, C, KH, KW), (O)");
        if (stride < 1 || padding < 0) throw new ArgumentException($"Conv2d: stride {stride} must be >= 1 and padding {padding} >= 0.");
        int n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        int o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
        int oh = ImageColumns.OutputSize(h, kh, stride, padding), ow = ImageColumns.OutputSize(w, kw, stride, padding);
        if (oh <= 0 || ow <= 0)
            throw new TensorShapeException("Conv2d", $"kernel {kh}x{kw} does not fit input {h}x{w} with padding {padding}");
        int patch = c * kh * kw, positions = oh * ow;

        var result = new Tensor([n, o, oh, ow], clear: false);
        var columns = new float[patch * positions];
        for (int i = 0; i < n; i++)
        {
            ImageColumns.ToColumns(input.Data.Slice(i * c * h * w, c * h * w), c, h, w, kh, kw, stride, padding, columns);
            var outImage = result.Data.Slice(i * o * positions, o * positions);
            Gemm.Multiply(false, false, o, positions, patch, 1f, weight.Data, patch, columns, positions, 0f, outImage, positions);
            if (bias is not null)
                for (int f = 0; f < o; f++)
                    TensorPrimitives.Add(outImage.Slice(f * positions, positions), bias.Data[f], outImage.Slice(f * positions, positions));
        }

        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return GradNode.Record("conv2d", result, inputs, g =>
        {
            // out = W · cols + b  =>  dW = Σ_n dOut_n · cols_nᵀ,  dcols = Wᵀ · dOut_n,  dx = col2im(dcols),  db = Σ dOut
            var dInput = input.RequiresGrad ? new Tensor(input.GetShape()) : null;
            var dWeight = weight.RequiresGrad ? new Tensor(weight.GetShape()) : null;
            var dBias = bias is not null && bias.RequiresGrad ? new Tensor(bias.GetShape()) : null;
            var cols = new float[patch * positions];
            var dCols = new float[patch * positions];
            for (int i = 0; i < n; i++)
            {
                var gImage = g.Data.Slice(i * o * positions, o * positions);
                if (dWeight is not null)
                {
                    ImageColumns.ToColumns(input.Data.Slice(i * c * h * w, c * h * w), c, h, w, kh, kw, stride, padding, cols);
                    Gemm.Multiply(false, true, o, patch, positions, 1f, gImage, positions, cols, positions, 1f, dWeight.Data, patch);
                }
                if (dInput is not null)
                {
                    Gemm.Multiply(true, false, patch, positions, o, 1f, weight.Data, patch, gImage, positions, 0f, dCols, positions);
                    ImageColumns.AddFromColumns(dCols, c, h, w, kh, kw, stride, padding, dInput.Data.Slice(i * c * h * w, c * h * w));
                }
                if (dBias is not null)
                    for (int f = 0; f < o; f++) dBias.Data[f] += TensorPrimitives.Sum(gImage.Slice(f * positions, positions));
            }
            return bias is null ? [dInput, dWeight] : [dInput, dWeight, dBias];
        });
    }

    /// <summary>
    /// 2-D max pooling over (N, C, H, W) with a square window; the stride defaults to the window size.
    /// The gradient goes to the (first) maximal element of each window.
    /// </summary>
    public Tensor MaxPool2d(int kernel, int stride = 0, int padding = 0)
    {
        if (stride == 0) stride = kernel;
        if (Rank != 4) throw new TensorShapeException("MaxPool2d", $"needs (N, C, H, W), got {TensorShape.Format(shape)}");
        if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel)
            throw new ArgumentException($"MaxPool2d: kernel {kernel}, stride {stride}, padding {padding} are invalid (padding may be at most half the kernel).");
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        int oh = ImageColumns.OutputSize(h, kernel, stride, padding), ow = ImageColumns.OutputSize(w, kernel, stride, padding);
        if (oh <= 0 || ow <= 0) throw new TensorShapeException("MaxPool2d", $"window {kernel} does not fit {TensorShape.Format(shape)}");
        var result = new Tensor([n, c, oh, ow], clear: false);
        var winners = new int[result.Length];
        var src = Data;
        var dst = result.Data;
        for (int plane = 0; plane < n * c; plane++)
        {
            int planeBase = plane * h * w;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity;
                    int bestIndex = -1;
                    for (int ky = 0; ky < kernel; ky++)
                    {
                        int y = oy * stride - padding + ky;
                        if ((uint)y >= (uint)h) continue;
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            int x = ox * stride - padding + kx;
                            if ((uint)x >= (uint)w) continue;
                            int index = planeBase + y * w + x;
                            if (bestIndex < 0 || src[index] > best) { best = src[index]; bestIndex = index; }
                        }
                    }
                    int outIndex = (plane * oh + oy) * ow + ox;
                    dst[outIndex] = best;
                    winners[outIndex] = bestIndex;
                }
        }
        var inShape = shape;
        return GradNode.Record("max_pool2d", result, [this], g =>
        {
            var dx = new Tensor((int[])inShape.Clone());
            var gd = g.Data;
            var d = dx.Data;
            for (int i = 0; i < winners.Length; i++) d[winners[i]] += gd[i];
            return [dx];
        });
    }
}
