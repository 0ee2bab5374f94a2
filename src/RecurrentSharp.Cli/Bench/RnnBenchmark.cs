using RecurrentSharp.Tensors;
using RecurrentSharp.Kernels;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured recurrent configuration.</summary>
internal sealed record RnnResult(string Name, string Cell, string Mode, int Batch, int Seq, int Input, int Hidden, int Layers, int Threads, double Ms, double Gflops);

/// <summary>
/// Measures the fused recurrent layers in inference (no tape) and training (forward + backward to every
/// parameter and the input) on fixed configurations; the same ones are in bench/torch_rnn.py.
/// </summary>
internal static class RnnBenchmark
{
    /// <summary>(name, cell, batch, seq, input, hidden, layers).</summary>
    public static readonly (string Name, string Cell, int Batch, int Seq, int Input, int Hidden, int Layers)[] Configs =
    [
        ("mnist-rows", "lstm", 50, 28, 28, 100, 1),
        ("medium-lstm", "lstm", 64, 100, 128, 256, 1),
        ("medium-gru", "gru", 64, 100, 128, 256, 1),
        ("medium-rnn", "rnn", 64, 100, 128, 256, 1),
        ("deep", "lstm", 32, 50, 512, 512, 2),
        ("latency", "lstm", 1, 100, 128, 256, 1),
        ("wide", "lstm", 16, 25, 1024, 1024, 1),
    ];

    /// <summary>
    /// Forward floating-point operations: per layer and step 2·G·B·(I + H)·H, i.e. 8· for LSTM, 6· for GRU,
    /// 2· for the Elman RNN, with I the layer's own input size. Training counts 3x forward.
    /// </summary>
    public static double ForwardFlops(string cell, int batch, int seq, int input, int hidden, int layers)
    {
        int factor = cell switch { "lstm" => 8, "gru" => 6, _ => 2 };
        double total = 0;
        for (int l = 0; l < layers; l++)
        {
            int layerInput = l == 0 ? input : hidden;
            total += (double)factor * batch * (layerInput + hidden) * hidden * seq;
        }
        return total;
    }

    public static List<RnnResult> Run(IReadOnlyList<int> threadCounts, IReadOnlyCollection<string>? only, Action<string>? progress = null)
    {
        var results = new List<RnnResult>();
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (name, cell, batch, seq, input, hidden, layers) in Configs)
            {
                if (only is { Count: > 0 } && !only.Contains(name)) continue;
                var random = new RandomGenerator(1);
                var layer = RecurrentLayer.Create(CellSpec.Parse(cell), input, hidden, layers, random: random);
                var x = Tensor.RandomNormal(random, 0, 1, seq, batch, input);
                var gradOutput = Tensor.RandomNormal(random, 0, 1, seq, batch, hidden);
                var parameters = layer.Parameters().ToArray();
                double flops = ForwardFlops(cell, batch, seq, input, hidden, layers);
                foreach (int threads in threadCounts)
                {
                    KernelThreads.Count = threads;
                    progress?.Invoke($"rnn {name} infer threads={threads}");
                    double inferMs = BenchmarkTimer.MedianMilliseconds(() =>
                    {
                        using var noGrad = new NoGradScope();
                        layer.Forward(x);
                    });
                    results.Add(new RnnResult(name, cell, "infer", batch, seq, input, hidden, layers, threads, inferMs, flops / (inferMs * 1e6)));

                    progress?.Invoke($"rnn {name} train threads={threads}");
                    var xTrain = x.Detach().WithGrad();
                    double trainMs = BenchmarkTimer.MedianMilliseconds(() =>
                    {
                        foreach (var p in parameters) p.ZeroGrad();
                        xTrain.ZeroGrad();
                        layer.Forward(xTrain).Output.Backward(gradOutput);
                    });
                    results.Add(new RnnResult(name, cell, "train", batch, seq, input, hidden, layers, threads, trainMs, 3 * flops / (trainMs * 1e6)));
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
        return results;
    }
}
