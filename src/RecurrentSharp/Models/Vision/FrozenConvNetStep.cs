using System.Numerics.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Models.Vision;

/// <summary>The size of one value of a <see cref="FrozenConvNet"/>: a channels-last image (a vector is 1 x 1 x C).</summary>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Channels">Channels (the fastest-varying axis).</param>
public sealed record ImageShape(int Height, int Width, int Channels)
{
    /// <summary>Height · width · channels.</summary>
    public int Size => Height * Width * Channels;

    /// <summary>Height · width.</summary>
    public int Positions => Height * Width;

    /// <inheritdoc/>
    public override string ToString() => $"{Height}x{Width}x{Channels}";
}

/// <summary>
/// One operation of a <see cref="FrozenConvNet"/>, reading and writing values by their index in the network's
/// value table (value 0 is the input image).
/// </summary>
public abstract record FrozenConvNetStep(int Output)
{
    /// <summary>Computes <see cref="Output"/> from earlier values; <paramref name="scratch"/> is big enough for <see cref="ScratchSize"/>.</summary>
    internal abstract void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch);

    /// <summary>The scratch floats this step needs (im2row patches).</summary>
    internal virtual int ScratchSize(IReadOnlyList<ImageShape> shapes) => 0;

    /// <summary>The values the step reads.</summary>
    public abstract IReadOnlyList<int> Inputs { get; }

    /// <summary>Floating-point operations of one run (a multiply-add counts 2), for GFLOP/s in benchmarks; 0 for steps that only move data.</summary>
    public virtual long Flops(IReadOnlyList<ImageShape> shapes) => 0;

    /// <summary>What the step is, for benchmark tables (e.g. "conv 3x3/1 56x56x64->56x56x64").</summary>
    public virtual string Describe(IReadOnlyList<ImageShape> shapes) => $"{GetType().Name.Replace("Step", "").ToLowerInvariant()} -> {shapes[Output]}";
}

/// <summary>
/// A convolution with batch normalisation folded in (w' = w·γ/√(σ²+ε), b' = β + (b − μ)·γ/√(σ²+ε)), optionally a
/// residual value added and a ReLU after it: out = act(conv(in) + b' + residual). With AVX-512 it is
/// <see cref="DirectConvolution"/> (straight from the image, bias, residual and ReLU applied before the one store);
/// elsewhere im2row followed by one product with the packed kernel, then the residual and the ReLU as passes.
/// </summary>
/// <param name="Input">The value read.</param>
/// <param name="Output">The value written.</param>
/// <param name="Kernel">The kernel as (KH·KW·C) x O, packed.</param>
/// <param name="Bias">O biases.</param>
/// <param name="KernelH">Kernel rows.</param>
/// <param name="KernelW">Kernel columns.</param>
/// <param name="Stride">Step between windows (both axes).</param>
/// <param name="PadTop">Zero rows above.</param>
/// <param name="PadLeft">Zero columns on the left (those below and on the right follow from the output size).</param>
/// <param name="Relu">ReLU fused after the convolution (after the residual, when there is one).</param>
/// <param name="Residual">A value of the output's shape added before the ReLU (a residual connection fused in), or null.</param>
public sealed record ConvolutionStep(int Input, int Output, PackedMatrix Kernel, float[] Bias, int KernelH, int KernelW, int Stride,
    int PadTop, int PadLeft, bool Relu, int? Residual = null) : FrozenConvNetStep(Output)
{
    /// <summary>The biases padded with zeros to whole 64-channel blocks, as the direct kernel reads them.</summary>
    private readonly float[] blockBias = [.. Bias, .. new float[DirectConvolution.BiasLength(Bias.Length) - Bias.Length]];

    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => Residual is { } r ? [Input, r] : [Input];

    /// <inheritdoc/>
    public override long Flops(IReadOnlyList<ImageShape> shapes) => 2L * shapes[Output].Size * KernelH * KernelW * shapes[Input].Channels;

    /// <inheritdoc/>
    public override string Describe(IReadOnlyList<ImageShape> shapes) =>
        $"conv {KernelH}x{KernelW}/{Stride} {shapes[Input]}->{shapes[Output]}{(Residual is null ? "" : " +res")}{(Relu ? " relu" : "")}";

    /// <summary>The geometry for <see cref="DirectConvolution"/>.</summary>
    internal ConvolutionShape Shape(IReadOnlyList<ImageShape> shapes)
    {
        var (input, output) = (shapes[Input], shapes[Output]);
        return new ConvolutionShape(input.Height, input.Width, input.Channels, KernelH, KernelW, Stride, PadTop, PadLeft,
            output.Height, output.Width, output.Channels);
    }

    private bool Pointwise => KernelH == 1 && KernelW == 1 && Stride == 1 && PadTop == 0 && PadLeft == 0;

    internal override int ScratchSize(IReadOnlyList<ImageShape> shapes) =>
        DirectConvolution.Accelerated(Kernel) ? Shape(shapes).ScratchSize
        : Pointwise ? 0 : shapes[Output].Positions * KernelH * KernelW * shapes[Input].Channels;

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch)
    {
        var (input, output) = (shapes[Input], shapes[Output]);
        var result = values[Output].AsSpan(0, output.Size);
        ReadOnlySpan<float> residual = Residual is { } r ? values[r].AsSpan(0, output.Size) : default;
        if (DirectConvolution.Accelerated(Kernel))
        {
            DirectConvolution.Run(Shape(shapes), values[Input], Kernel, blockBias, residual, Relu, result, scratch, KernelThreads.Count);
            return;
        }
        int k = KernelH * KernelW * input.Channels, positions = output.Positions, channels = output.Channels;
        ReadOnlySpan<float> rows = values[Input];
        if (!Pointwise)
        {
            ImageRows.ToRows(values[Input], input.Height, input.Width, input.Channels, KernelH, KernelW, Stride, PadTop, PadLeft,
                output.Height, output.Width, scratch);
            rows = scratch.AsSpan(0, positions * k);
        }
        for (int p = 0; p < positions; p++) Bias.CopyTo(result.Slice(p * channels, channels));
        Gemm.Multiply(false, positions, 1f, rows, k, Kernel, 1f, result, channels);
        if (!residual.IsEmpty) TensorPrimitives.Add(result, residual, result);
        if (Relu) TensorPrimitives.Max(result, 0f, result);
    }
}

/// <summary>Max pooling (ONNX MaxPool: positions in the padding never win).</summary>
/// <param name="Input">The value read.</param>
/// <param name="Output">The value written.</param>
/// <param name="KernelH">Window rows.</param>
/// <param name="KernelW">Window columns.</param>
/// <param name="Stride">Step between windows.</param>
/// <param name="PadTop">Padding rows above.</param>
/// <param name="PadLeft">Padding columns on the left.</param>
public sealed record MaxPoolStep(int Input, int Output, int KernelH, int KernelW, int Stride, int PadTop, int PadLeft) : FrozenConvNetStep(Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => [Input];

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch)
    {
        int threads = KernelThreads.Count;
        if (threads == 1)
        {
            Rows(values, shapes, 0, shapes[Output].Height);
            return;
        }
        var job = perThread ??= new RowsJob();
        (job.Step, job.Values, job.Shapes, job.Parts) = (this, values, shapes, Math.Min(shapes[Output].Height, 4 * threads));
        KernelThreads.Run(job, job.Parts, threads);
        (job.Step, job.Values, job.Shapes) = (null, null, null);
    }

    /// <summary>
    /// Output rows [first, end): the same pooling with the window moved down by first·stride rows (padTop − first·stride
    /// may be negative: those rows are inside the image) into the output from row first on.
    /// </summary>
    private void Rows(float[][] values, IReadOnlyList<ImageShape> shapes, int first, int end)
    {
        var (input, output) = (shapes[Input], shapes[Output]);
        ChannelsLastPooling.Max(values[Input], input.Height, input.Width, input.Channels, KernelH, KernelW, Stride, PadTop - first * Stride, PadLeft,
            end - first, output.Width, values[Output].AsSpan(first * output.Width * output.Channels));
    }

    [ThreadStatic] private static RowsJob? perThread;

    /// <summary>Latency mode: bands of output rows on the kernel threads.</summary>
    private sealed class RowsJob : ParallelJob
    {
        public MaxPoolStep? Step;
        public float[][]? Values;
        public IReadOnlyList<ImageShape>? Shapes;
        public int Parts;

        public override void Execute(int part)
        {
            int height = Shapes![Step!.Output].Height;
            Step.Rows(Values!, Shapes, part * height / Parts, (part + 1) * height / Parts);
        }
    }
}

/// <summary>The element-wise sum of two values of the same shape (a residual connection), with an optional ReLU after it.</summary>
/// <param name="Left">The first value.</param>
/// <param name="Right">The second value.</param>
/// <param name="Output">The value written.</param>
/// <param name="Relu">ReLU fused after the sum.</param>
public sealed record AddStep(int Left, int Right, int Output, bool Relu) : FrozenConvNetStep(Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => [Left, Right];

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch)
    {
        int size = shapes[Output].Size;
        var result = values[Output].AsSpan(0, size);
        TensorPrimitives.Add(values[Left].AsSpan(0, size), values[Right].AsSpan(0, size), result);
        if (Relu) TensorPrimitives.Max(result, 0f, result);
    }
}

/// <summary>ReLU on its own (when the value before it is read elsewhere too, so it could not be fused).</summary>
/// <param name="Input">The value read.</param>
/// <param name="Output">The value written.</param>
public sealed record ReluStep(int Input, int Output) : FrozenConvNetStep(Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => [Input];

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch)
    {
        int size = shapes[Output].Size;
        TensorPrimitives.Max(values[Input].AsSpan(0, size), 0f, values[Output].AsSpan(0, size));
    }
}

/// <summary>The mean over all positions of each channel: H x W x C to 1 x 1 x C.</summary>
/// <param name="Input">The value read.</param>
/// <param name="Output">The value written.</param>
public sealed record GlobalAveragePoolStep(int Input, int Output) : FrozenConvNetStep(Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => [Input];

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch) =>
        ChannelsLastPooling.GlobalAverage(values[Input], shapes[Input].Positions, shapes[Input].Channels, values[Output]);
}

/// <summary>A fully connected layer on a 1 x 1 x C value (ONNX Gemm after Flatten): 1 x 1 x O.</summary>
/// <param name="Input">The value read.</param>
/// <param name="Output">The value written.</param>
/// <param name="Weight">The weight as C x O, packed.</param>
/// <param name="Bias">O biases.</param>
public sealed record FullyConnectedStep(int Input, int Output, PackedMatrix Weight, float[] Bias) : FrozenConvNetStep(Output)
{
    /// <inheritdoc/>
    public override IReadOnlyList<int> Inputs => [Input];

    internal override void Run(float[][] values, IReadOnlyList<ImageShape> shapes, float[] scratch)
    {
        var result = values[Output].AsSpan(0, Bias.Length);
        Bias.CopyTo(result);
        Gemm.Multiply(false, 1, 1f, values[Input], Weight.Rows, Weight, 1f, result, Bias.Length);
    }
}
