using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Cli.Bench;

/// <summary>The machine's measured FP32 fused multiply-add peak at one thread count.</summary>
/// <param name="Threads">Threads running the loop at once.</param>
/// <param name="VectorBits">512 or 256 (the widest vector the JIT accelerates), or 32 for the scalar loop.</param>
/// <param name="Gflops">The best rate over the timed runs, in GFLOP/s (an FMA counts as 2 FLOPs).</param>
internal sealed record PeakResult(int Threads, int VectorBits, double Gflops);

/// <summary>
/// The FP32 FMA peak: every thread runs a loop of FMAs on <see cref="Accumulators"/> independent register
/// accumulators, <c>acc_j = acc_j · m + a</c>, with nothing loaded or stored. An FMA has a latency of about
/// 4 cycles and up to 2 issue per cycle, so at least 8 independent chains are needed to keep both pipes
/// busy; 12 leaves room. The loop is what the microkernels could reach if memory were free, so
/// "% of peak" in the other benchmarks says how much of the arithmetic the hardware offers they use.
/// </summary>
internal static class PeakBenchmark
{
    /// <summary>Independent FMA chains per thread (enough to cover the FMA latency on both pipes).</summary>
    public const int Accumulators = 12;

    /// <summary>Loop iterations per timed run and thread: 12 FMAs each.</summary>
    private const int Iterations = 4_000_000;

    /// <summary>The width of the vectors the loop uses on this machine.</summary>
    public static int VectorBits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 32;

    /// <summary>FLOPs of one run of the loop on one thread: iterations · accumulators · lanes · 2.</summary>
    public static double FlopsPerRun(int iterations = Iterations) => 2.0 * iterations * Accumulators * (VectorBits / 32);

    /// <summary>
    /// Measures the peak for each thread count: the best of <paramref name="runs"/> timed runs after a warm-up.
    /// The best, not the median: other processes can only slow the loop down (it touches no memory), so the
    /// fastest run is the closest to what the cores can do.
    /// </summary>
    public static List<PeakResult> Run(IReadOnlyList<int> threadCounts, int runs = 15, Action<string>? progress = null)
    {
        var results = new List<PeakResult>();
        foreach (int threads in threadCounts)
        {
            progress?.Invoke($"peak threads={threads}");
            RunOnce(threads); // warm-up: JIT to optimized code, threads started, clocks up
            var rates = new List<double>(runs);
            for (int r = 0; r < runs; r++)
            {
                double seconds = RunOnce(threads);
                rates.Add(threads * FlopsPerRun() / seconds / 1e9);
            }
            results.Add(new PeakResult(threads, VectorBits, rates.Max()));
        }
        return results;
    }

    /// <summary>
    /// Runs the loop on <paramref name="threads"/> dedicated threads started together; returns the wall time
    /// from the common start until the last one finished.
    /// </summary>
    private static double RunOnce(int threads)
    {
        using var ready = new CountdownEvent(threads);
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        var sink = new float[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                ready.Signal();
                go.Wait();
                sink[index] = Loop(Iterations, 0.999999f, 1e-6f);
            }) { IsBackground = true, Priority = ThreadPriority.Highest };
            workers[t].Start();
        }
        ready.Wait();
        long start = Stopwatch.GetTimestamp();
        go.Set();
        foreach (var w in workers) w.Join();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        // The sum is used, so the JIT cannot drop the loop.
        if (float.IsNaN(sink.Sum())) throw new InvalidOperationException("FMA peak loop produced NaN.");
        return seconds;
    }

    /// <summary>
    /// The loop on the widest accelerated vectors: <paramref name="iterations"/> times acc_j = acc_j · m + a on every
    /// accumulator, from acc_j = 0.1 (j + 1); returns the sum of all lanes. The benchmark takes m slightly below 1,
    /// so the values stay finite and normal for any length.
    /// </summary>
    internal static float Loop(int iterations, float m, float a) =>
        Vector512.IsHardwareAccelerated ? Loop512(iterations, m, a)
        : Vector256.IsHardwareAccelerated ? Loop256(iterations, m, a)
        : LoopScalar(iterations, m, a);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(int iterations, float multiplier, float addend)
    {
        var m = Vector512.Create(multiplier);
        var a = Vector512.Create(addend);
        Vector512<float> c0 = Vector512.Create(0.1f), c1 = Vector512.Create(0.2f), c2 = Vector512.Create(0.3f), c3 = Vector512.Create(0.4f),
            c4 = Vector512.Create(0.5f), c5 = Vector512.Create(0.6f), c6 = Vector512.Create(0.7f), c7 = Vector512.Create(0.8f),
            c8 = Vector512.Create(0.9f), c9 = Vector512.Create(1.0f), c10 = Vector512.Create(1.1f), c11 = Vector512.Create(1.2f);
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(int iterations, float multiplier, float addend)
    {
        var m = Vector256.Create(multiplier);
        var a = Vector256.Create(addend);
        Vector256<float> c0 = Vector256.Create(0.1f), c1 = Vector256.Create(0.2f), c2 = Vector256.Create(0.3f), c3 = Vector256.Create(0.4f),
            c4 = Vector256.Create(0.5f), c5 = Vector256.Create(0.6f), c6 = Vector256.Create(0.7f), c7 = Vector256.Create(0.8f),
            c8 = Vector256.Create(0.9f), c9 = Vector256.Create(1.0f), c10 = Vector256.Create(1.1f), c11 = Vector256.Create(1.2f);
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float LoopScalar(int iterations, float m, float a)
    {
        float c0 = 0.1f, c1 = 0.2f, c2 = 0.3f, c3 = 0.4f, c4 = 0.5f, c5 = 0.6f, c6 = 0.7f, c7 = 0.8f, c8 = 0.9f, c9 = 1.0f, c10 = 1.1f, c11 = 1.2f;
        for (int i = 0; i < iterations; i++)
        {
            c0 = MathF.FusedMultiplyAdd(c0, m, a); c1 = MathF.FusedMultiplyAdd(c1, m, a);
            c2 = MathF.FusedMultiplyAdd(c2, m, a); c3 = MathF.FusedMultiplyAdd(c3, m, a);
            c4 = MathF.FusedMultiplyAdd(c4, m, a); c5 = MathF.FusedMultiplyAdd(c5, m, a);
            c6 = MathF.FusedMultiplyAdd(c6, m, a); c7 = MathF.FusedMultiplyAdd(c7, m, a);
            c8 = MathF.FusedMultiplyAdd(c8, m, a); c9 = MathF.FusedMultiplyAdd(c9, m, a);
            c10 = MathF.FusedMultiplyAdd(c10, m, a); c11 = MathF.FusedMultiplyAdd(c11, m, a);
        }
        return ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
    }

    /// <summary>The peak for <paramref name="threads"/>, or the nearest lower thread count measured.</summary>
    public static double PeakFor(IReadOnlyList<PeakResult> peaks, int threads) =>
        peaks.Where(p => p.Threads <= threads).OrderByDescending(p => p.Threads).Select(p => p.Gflops).DefaultIfEmpty(double.NaN).First();

    /// <summary>100 · rate / peak: how much of the machine's FMA peak at this thread count a rate is.</summary>
    public static double PercentOfPeak(double gflops, double peakGflops) => 100.0 * gflops / peakGflops;
}
