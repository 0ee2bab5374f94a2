using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured GEMM: C (m x n) = A (m x k) · B (k x n); 2·m·n·k FLOPs.</summary>
internal sealed record GemmResult(string Name, int M, int N, int K, int Threads, double Ms, double Gflops, double PercentOfPeak);

/// <summary>
/// Measures <see cref="Gemm"/> on square sizes and on the shapes recurrent layers produce, at 1 and 2 threads.
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>The benchmark's shapes: (name, m, n, k).</summary>
    public static readonly (string Name, int M, int N, int K)[] Shapes =
    [
        ("square-256", 256, 256, 256),
        ("square-512", 512, 512, 512),
        ("square-1024", 1024, 1024, 1024),
        ("square-2048", 2048, 2048, 2048),
        ("rnn-50x400x128", 50, 400, 128),
        ("rnn-64x1024x256", 64, 1024, 256),
        ("rnn-1x1024x256", 1, 1024, 256),
        ("rnn-6400x1024x128", 6400, 1024, 128),
        ("rnn-32x2048x512", 32, 2048, 512),
    ];

    public static List<GemmResult> Run(IReadOnlyList<int> threadCounts, IReadOnlyList<PeakResult> peaks, Action<string>? progress = null)
    {
        var results = new List<GemmResult>();
        int saved = KernelThreads.Count;
        try
        {
            foreach (var (name, m, n, k) in Shapes)
            {
                var random = new RandomGenerator(1);
                var a = Tensor.RandomNormal(random, 0, 1, m * k).ToArray();
                var b = Tensor.RandomNormal(random, 0, 1, k * n).ToArray();
                var c = new float[m * n];
                foreach (int threads in threadCounts)
                {
                    KernelThreads.Count = threads;
                    progress?.Invoke($"gemm {name} threads={threads}");
                    double ms = BenchmarkTimer.MedianMilliseconds(() => Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n));
                    double gflops = 2.0 * m * n * k / (ms * 1e6);
                    results.Add(new GemmResult(name, m, n, k, threads, ms, gflops, PeakBenchmark.PercentOfPeak(gflops, PeakBenchmark.PeakFor(peaks, threads))));
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
