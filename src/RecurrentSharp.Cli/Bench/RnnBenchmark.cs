using RecurrentSharp.Tensors;
using RecurrentSharp.Kernels;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Cli.Bench;

/// <summary>
/// One benchmark configuration: a fused layer of <paramref name="Cell"/> on a (T, B, I) input.
/// </summary>
/// <param name="Name">The configuration's name (as in bench/torch_rnn.py).</param>
/// <param name="Cell">lstm, gru or rnn (tanh Elman).</param>
/// <param name="Batch">B.</param>
/// <param name="Seq">T, the padded length.</param>
/// <param name="Input">I.</param>
/// <param name="Hidden">H.</param>
/// <param name="Layers">Stacked layers L.</param>
/// <param name="Bidirectional">Two directions per layer (a layer above the first reads 2H features).</param>
/// <param name="MinLength">With variable lengths, the shortest sequence; 0 when every sequence has T steps.</param>
internal sealed record RnnConfig(string Name, string Cell, int Batch, int Seq, int Input, int Hidden, int Layers,
    bool Bidirectional = false, int MinLength = 0)
{
    /// <summary>
    /// The true length of each sequence: spread evenly from <see cref="MinLength"/> to T,
    /// len_b = MinLength + ⌊b (T - MinLength) / (B - 1)⌋ (the same formula is in bench/torch_rnn.py); null for full length.
    /// </summary>
    public int[]? Lengths()
    {
        if (MinLength <= 0) return null;
        var lengths = new int[Batch];
        for (int b = 0; b < Batch; b++)
            lengths[b] = Batch == 1 ? Seq : MinLength + (int)((long)b * (Seq - MinLength) / (Batch - 1));
        return lengths;
    }

    /// <summary>Σ_b len_b: the real (not padded) sequence steps of the batch.</summary>
    public long RealSteps() => Lengths()?.Sum(l => (long)l) ?? (long)Batch * Seq;
}

/// <summary>One measured recurrent configuration.</summary>
/// <param name="Config">What was measured.</param>
/// <param name="Mode">infer (forward without tape) or train (forward and backward to every parameter and the input).</param>
/// <param name="Threads">Kernel threads.</param>
/// <param name="Ms">The median time of one pass, in milliseconds.</param>
/// <param name="Gflops">Counted FLOPs (<see cref="RnnBenchmark.Flops"/>) per second, in GFLOP/s.</param>
/// <param name="PercentOfPeak">100 · Gflops / the FMA peak measured at the same thread count.</param>
/// <param name="PeakHeapMb">Train rows: the managed heap one training step reaches, in MB (<see cref="RnnBenchmark.MeasureTrainingHeap"/>).</param>
/// <param name="KeptMb">Train rows: managed memory kept alive between forward and backward (activations for BPTT and the output), in MB.</param>
internal sealed record RnnResult(RnnConfig Config, string Mode, int Threads, double Ms, double Gflops, double PercentOfPeak,
    double? PeakHeapMb = null, double? KeptMb = null);

/// <summary>
/// Measures the fused recurrent layers in inference (no tape) and training (forward + backward to every
/// parameter and the input) on fixed configurations; the same ones are in bench/torch_rnn.py.
/// </summary>
internal static class RnnBenchmark
{
    /// <summary>The configurations, in the order they run.</summary>
    public static readonly RnnConfig[] Configs =
    [
        new("mnist-rows", "lstm", 50, 28, 28, 100, 1),
        new("medium-lstm", "lstm", 64, 100, 128, 256, 1),
        new("medium-gru", "gru", 64, 100, 128, 256, 1),
        new("medium-rnn", "rnn", 64, 100, 128, 256, 1),
        new("deep", "lstm", 32, 50, 512, 512, 2),
        new("deep-gru", "gru", 32, 50, 512, 512, 2),
        new("deep-rnn", "rnn", 32, 50, 512, 512, 2),
        new("latency", "lstm", 1, 100, 128, 256, 1),
        new("wide", "lstm", 16, 25, 1024, 1024, 1),
        // The text tasks' encoder: 2 bidirectional layers over padded sentences of 10..60 words.
        new("bilstm-varlen", "lstm", 64, 60, 50, 128, 2, Bidirectional: true, MinLength: 10),
    ];

    /// <summary>
    /// Counted floating-point operations of one pass: the multiply-adds of the products with W_ih and W_hh,
    /// 2 FLOPs each, per layer, direction and real (unpadded) step of every sequence:
    /// <c>2 · G · (I_l + H) · H · Σ_b len_b · D</c>, G = 4 (LSTM), 3 (GRU), 1 (Elman), I_l the layer's own
    /// input size (I, then D·H). Training counts 3× forward: the forward products, the gradient products to
    /// the input and previous hidden state (dG · W), and the weight gradients (dGᵀ · [x, h]).
    /// The element-wise gate work is not counted (it is small beside the products and varies by cell).
    /// </summary>
    public static double Flops(RnnConfig config, string mode)
    {
        int gates = config.Cell switch { "lstm" => 4, "gru" => 3, "rnn" => 1, _ => throw new ArgumentException($"unknown cell '{config.Cell}'") };
        int directions = config.Bidirectional ? 2 : 1;
        double steps = config.RealSteps();
        double forward = 0;
        for (int l = 0; l < config.Layers; l++)
        {
            int layerInput = l == 0 ? config.Input : directions * config.Hidden;
            forward += 2.0 * gates * (layerInput + config.Hidden) * config.Hidden * steps * directions;
        }
        return mode switch { "infer" => forward, "train" => 3 * forward, _ => throw new ArgumentException($"unknown mode '{mode}'") };
    }

    /// <summary>A result row from a measured time: GFLOP/s from <see cref="Flops"/>, and its share of the peak.</summary>
    public static RnnResult Row(RnnConfig config, string mode, int threads, double ms, double peakGflops, double? peakHeapMb = null, double? keptMb = null)
    {
        double gflops = Flops(config, mode) / (ms * 1e6);
        return new RnnResult(config, mode, threads, ms, gflops, PeakBenchmark.PercentOfPeak(gflops, peakGflops), peakHeapMb, keptMb);
    }

    public static List<RnnResult> Run(IReadOnlyList<int> threadCounts, IReadOnlyCollection<string>? only, IReadOnlyList<PeakResult> peaks,
        Action<string>? progress = null)
    {
        var results = new List<RnnResult>();
        int saved = KernelThreads.Count;
        try
        {
            foreach (var config in Configs)
            {
                if (only is { Count: > 0 } && !only.Contains(config.Name)) continue;
                var random = new RandomGenerator(1);
                var layer = RecurrentLayer.Create(CellSpec.Parse(config.Cell), config.Input, config.Hidden, config.Layers,
                    bidirectional: config.Bidirectional, random: random);
                var x = Tensor.RandomNormal(random, 0, 1, config.Seq, config.Batch, config.Input);
                var gradOutput = Tensor.RandomNormal(random, 0, 1, config.Seq, config.Batch, layer.OutputSize);
                var lengths = config.Lengths();
                var parameters = layer.Parameters().ToArray();
                var xTrain = x.Detach().WithGrad();
                void Infer()
                {
                    using var noGrad = new NoGradScope();
                    layer.Forward(x, lengths: lengths);
                }
                RecurrentOutput TrainForward()
                {
                    foreach (var p in parameters) p.ZeroGrad();
                    xTrain.ZeroGrad();
                    return layer.Forward(xTrain, lengths: lengths);
                }
                void Train() => TrainForward().Output.Backward(gradOutput);

                foreach (int threads in threadCounts)
                {
                    KernelThreads.Count = threads;
                    double peak = PeakBenchmark.PeakFor(peaks, threads);
                    progress?.Invoke($"rnn {config.Name} infer threads={threads}");
                    results.Add(Row(config, "infer", threads, BenchmarkTimer.MedianMilliseconds(Infer), peak));

                    progress?.Invoke($"rnn {config.Name} train threads={threads}");
                    double trainMs = BenchmarkTimer.MedianMilliseconds(Train);
                    var (peakHeap, kept) = MeasureTrainingHeap(TrainForward, output => output.Output.Backward(gradOutput));
                    results.Add(Row(config, "train", threads, trainMs, peak, peakHeap / 1e6, kept / 1e6));
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
        return results;
    }

    /// <summary>
    /// Managed memory of one training step, in bytes above what was live before it (after a full collection), counting
    /// the buffers the recurrent layers borrow from their pool (<see cref="PooledActivations"/>) as if allocated:
    /// <list type="bullet">
    /// <item>kept: the bytes still live between forward and backward (a full collection there finds them) plus the
    /// borrowed ones: the activations kept for BPTT, the output and the tape.</item>
    /// <item>peak: max(bytes allocated and borrowed by forward, kept + bytes allocated and borrowed by backward): the
    /// most the heap holds when garbage is collected between forward and backward, and never less than the live peak,
    /// since nothing live inside a phase can be more than what was kept or allocated.</item>
    /// </list>
    /// One unmeasured step runs first, so the pool already holds the buffers the measured step borrows (a first step
    /// would count them twice: allocated by the pool and borrowed).
    /// </summary>
    public static (long PeakBytes, long KeptBytes) MeasureTrainingHeap<T>(Func<T> forward, Action<T> backward)
    {
        backward(forward());
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long borrowedBefore = PooledActivations.BytesInUse;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        PooledActivations.ResetPeak();
        var state = forward();
        long allocatedForward = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long borrowedForward = PooledActivations.PeakBytes - borrowedBefore;
        long kept = GC.GetTotalMemory(forceFullCollection: true) - before + PooledActivations.BytesInUse - borrowedBefore;
        long allocatedBackwardStart = GC.GetTotalAllocatedBytes(precise: true);
        long borrowedKept = PooledActivations.BytesInUse;
        PooledActivations.ResetPeak();
        backward(state);
        long allocatedBackward = GC.GetTotalAllocatedBytes(precise: true) - allocatedBackwardStart;
        long borrowedBackward = PooledActivations.PeakBytes - borrowedKept;
        GC.KeepAlive(state);
        return (Math.Max(allocatedForward + borrowedForward, kept + allocatedBackward + borrowedBackward), kept);
    }
}
