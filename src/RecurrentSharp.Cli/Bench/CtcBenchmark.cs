using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured CTC configuration.</summary>
internal sealed record CtcResult(string Name, int T, int N, int C, int S, int Threads, double Ms);

/// <summary>
/// Times CTC loss + gradient (<see cref="Losses.CtcLoss"/> on log-probabilities that require a gradient, reduction
/// mean, then Backward) on fixed shapes; bench/torch_ctc.py times F.ctc_loss the same way.
/// </summary>
internal static class CtcBenchmark
{
    /// <summary>(name, T, N, C, S): frames, batch, classes with the blank, target length.</summary>
    public static readonly (string Name, int T, int N, int C, int S)[] Configs =
    [
        ("speech-like", 200, 32, 29, 40),
        ("digits", 50, 64, 12, 6),
    ];

    public static List<CtcResult> Run(int[] threadCounts, Action<string> log)
    {
        var results = new List<CtcResult>();
        foreach (var (name, T, N, C, S) in Configs)
        {
            var random = new RandomGenerator(1);
            var logProbs = Tensor.RandomNormal(random, 0f, 1f, T, N, C).LogSoftmax(2).Detach().WithGrad();
            var labels = new int[N * S];
            for (int i = 0; i < labels.Length; i++) labels[i] = 1 + random.Next(C - 1);   // never the blank 0
            var targets = CtcTargets.Padded(labels, S, Enumerable.Repeat(S, N).ToArray());
            var inputLengths = Enumerable.Repeat(T, N).ToArray();
            foreach (int threads in threadCounts)
            {
                KernelThreads.Count = threads;
                double ms = BenchmarkTimer.MedianMilliseconds(() =>
                {
                    logProbs.ZeroGrad();
                    Losses.CtcLoss(logProbs, targets, inputLengths, blank: 0, Reduction.Mean).Backward();
                });
                results.Add(new CtcResult(name, T, N, C, S, threads, ms));
                log($"{name}: T={T} N={N} C={C} S={S} threads={threads}: {ms:F3} ms");
            }
        }
        return results;
    }
}
