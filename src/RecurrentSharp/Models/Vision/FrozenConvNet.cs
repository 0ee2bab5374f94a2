using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models.Vision;

/// <summary>
/// A pretrained convolutional network for inference only (e.g. ResNet-18 read from ONNX by
/// <c>Interop.Onnx.OnnxConvNetImporter</c>): steps over channels-last values, batch normalisation folded into
/// the convolutions, ReLUs fused where they can be. It gives the network's output (e.g. the 512 pooled features)
/// and the value the final global average pool reads (the 7 x 7 x 512 grid, for attention over regions).
/// Each convolution is im2row and one <see cref="Gemm"/> product; <see cref="RunBatch"/> runs images on all
/// <see cref="KernelThreads"/> at once, one image per thread.
/// </summary>
public sealed class FrozenConvNet
{
    /// <summary>Creates the network from its value shapes (value 0 is the input) and steps in order.</summary>
    public FrozenConvNet(IReadOnlyList<ImageShape> shapes, IReadOnlyList<FrozenConvNetStep> steps, int output, int? grid)
    {
        Shapes = shapes;
        Steps = FuseResiduals(steps, output, grid);
        Output = output;
        Grid = grid;
        ScratchSize = Steps.Select(s => s.ScratchSize(shapes)).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// A convolution without ReLU followed at once by the residual Add that is the only reader of its result becomes one
    /// convolution step that adds the other operand (and applies the Add's ReLU) before it stores: y = act(conv(x) + r),
    /// one pass over the output instead of three.
    /// </summary>
    private static IReadOnlyList<FrozenConvNetStep> FuseResiduals(IReadOnlyList<FrozenConvNetStep> steps, int output, int? grid)
    {
        var readers = steps.SelectMany(s => s.Inputs).GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        var fused = new List<FrozenConvNetStep>(steps.Count);
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] is ConvolutionStep { Relu: false, Residual: null } conv && i + 1 < steps.Count && steps[i + 1] is AddStep add
                && (add.Left == conv.Output) != (add.Right == conv.Output) && readers[conv.Output] == 1 && conv.Output != output && conv.Output != grid)
            {
                fused.Add(conv with { Output = add.Output, Residual = add.Left == conv.Output ? add.Right : add.Left, Relu = add.Relu });
                i++;
                continue;
            }
            fused.Add(steps[i]);
        }
        return fused;
    }

    /// <summary>The shape of every value, by index.</summary>
    public IReadOnlyList<ImageShape> Shapes { get; }

    /// <summary>The operations in order.</summary>
    public IReadOnlyList<FrozenConvNetStep> Steps { get; }

    /// <summary>The index of the network's output value.</summary>
    public int Output { get; }

    /// <summary>The index of the value that the final global average pool reads, or null when there is none.</summary>
    public int? Grid { get; }

    /// <summary>The input shape (channels-last).</summary>
    public ImageShape InputShape => Shapes[0];

    /// <summary>The output's size.</summary>
    public int OutputSize => Shapes[Output].Size;

    private int ScratchSize { get; }

    /// <summary>Buffers for every value and the im2row scratch; one per thread, reused from image to image.</summary>
    public sealed class Workspace
    {
        internal Workspace(FrozenConvNet network)
        {
            Values = network.Shapes.Select(s => new float[s.Size]).ToArray();
            Scratch = new float[Math.Max(1, network.ScratchSize)];
        }

        internal float[][] Values { get; }

        internal float[] Scratch { get; }

        /// <summary>The value of that index after the last run.</summary>
        public ReadOnlySpan<float> Value(int index) => Values[index];
    }

    /// <summary>Allocates a workspace.</summary>
    public Workspace CreateWorkspace() => new(this);

    /// <summary>Runs one image (channels-last, <see cref="InputShape"/>); read the results from <paramref name="workspace"/>.</summary>
    public void Run(ReadOnlySpan<float> image, Workspace workspace)
    {
        if (image.Length != InputShape.Size)
            throw new TensorShapeException("FrozenConvNet", $"the input has {image.Length} values, the network takes {InputShape} = {InputShape.Size}");
        image.CopyTo(workspace.Values[0]);
        foreach (var step in Steps) step.Run(workspace.Values, Shapes, workspace.Scratch);
    }

    /// <summary>
    /// Runs one image like <see cref="Run(ReadOnlySpan{float}, Workspace)"/> and adds each step's time, as the difference
    /// of two readings of <paramref name="clock"/>, to <paramref name="stepTicks"/>[step] (for `rnn bench cnn --layers`).
    /// </summary>
    public void Run(ReadOnlySpan<float> image, Workspace workspace, Span<long> stepTicks, Func<long> clock)
    {
        if (stepTicks.Length < Steps.Count) throw new ArgumentException($"FrozenConvNet: {stepTicks.Length} step timers for {Steps.Count} steps.");
        image.CopyTo(workspace.Values[0]);
        for (int s = 0; s < Steps.Count; s++)
        {
            long start = clock();
            Steps[s].Run(workspace.Values, Shapes, workspace.Scratch);
            stepTicks[s] += clock() - start;
        }
    }

    /// <summary>
    /// Runs <paramref name="count"/> images, <paramref name="image"/>(i, input) filling image i's input, and hands each
    /// finished workspace to <paramref name="done"/>(i, workspace) — on the thread that ran it, so copy what you keep.
    /// Once <paramref name="cancellation"/> is set, no further image is started.
    /// </summary>
    public void RunBatch(int count, Action<int, Span<float>> image, Action<int, Workspace> done, CancellationToken cancellation = default)
    {
        int threads = Math.Max(1, Math.Min(KernelThreads.Count, count));
        var workspaces = new Workspace[threads];
        var inputs = new float[threads][];
        int next = -1;
        KernelThreads.For(threads, t =>
        {
            using var single = KernelThreads.Limit(1);   // one image per thread; its products stay on it
            var workspace = workspaces[t] ??= CreateWorkspace();
            var input = inputs[t] ??= new float[InputShape.Size];
            for (int i = Interlocked.Increment(ref next); i < count && !cancellation.IsCancellationRequested; i = Interlocked.Increment(ref next))
            {
                image(i, input);
                Run(input, workspace);
                done(i, workspace);
            }
        });
    }
}
