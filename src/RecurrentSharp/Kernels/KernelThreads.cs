namespace RecurrentSharp.Kernels;

/// <summary>
/// The process-wide number of threads that kernels may use (default: all cores). Every
/// multi-threaded kernel asks <see cref="Count"/> before splitting its work.
/// </summary>
public static class KernelThreads
{
    private static int count = Environment.ProcessorCount;

    /// <summary>How many threads a kernel may use; at least 1.</summary>
    public static int Count
    {
        get => count;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The thread count must be at least 1.");
            count = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for parts 0..parts-1, on up to <see cref="Count"/> threads
    /// (inline when only one thread or one part). Parts are handed out one at a time, so uneven
    /// parts balance themselves.
    /// </summary>
    public static void For(int parts, Action<int> body)
    {
        if (Math.Min(Count, parts) <= 1)
        {
            for (int i = 0; i < parts; i++) body(i);
            return;
        }
        WorkerPool.Run(new DelegateJob(body), parts, Count);
    }

    /// <summary>Runs <paramref name="job"/> for parts 0..parts-1 on up to <paramref name="threads"/> threads, without allocating.</summary>
    internal static void Run(ParallelJob job, int parts, int threads) => WorkerPool.Run(job, parts, threads);
}
