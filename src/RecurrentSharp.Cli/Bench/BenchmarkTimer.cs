using System.Diagnostics;

namespace RecurrentSharp.Cli.Bench;

/// <summary>Times an action: warm-up runs, then the median of timed runs.</summary>
internal static class BenchmarkTimer
{
    /// <summary>
    /// Runs <paramref name="action"/> untimed at least <paramref name="warmup"/> times and for at least
    /// <paramref name="warmupSeconds"/> (so the JIT has replaced its first quick code with optimized code), then at least
    /// <paramref name="minRuns"/> timed runs (more while under <paramref name="minSeconds"/>, up to
    /// <paramref name="maxRuns"/>), and returns the median in milliseconds.
    /// </summary>
    public static double MedianMilliseconds(Action action, int warmup = 5, int minRuns = 10, int maxRuns = 200, double minSeconds = 0.5, double warmupSeconds = 1.0)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < warmup || warm.Elapsed.TotalSeconds < warmupSeconds; i++) action();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || (times.Count < maxRuns && total.Elapsed.TotalSeconds < minSeconds))
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    }
}
