namespace RecurrentSharp.Kernels;

/// <summary>
/// The process-wide number of threads that kernels may use (default: all cores). Every
/// multi-threaded kernel asks <see cref="Count"/> before splitting its work.
/// </summary>
public static class KernelThreads
{
    private static int count = Environment.ProcessorCount;
    [ThreadStatic] private static int threadLimit;

    /// <summary>How many threads a kernel called from this thread may use; at least 1.</summary>
    public static int Count
    {
        get => threadLimit > 0 ? Math.Min(threadLimit, count) : count;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The thread count must be at least 1.");
            count = value;
        }
    }

    /// <summary>
    /// Limits the kernels called from the current thread to <paramref name="threads"/> threads until
    /// the returned scope is disposed (used when independent work, such as the two directions of a
    /// bidirectional layer, already runs on separate threads).
    /// </summary>
    public static IDisposable Limit(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread limit must be at least 1.");
        int previous = threadLimit;
        threadLimit = threads;
        return new LimitScope(previous);
    }

    private sealed class LimitScope(int previous) : IDisposable
    {
        public void Dispose() => threadLimit = previous;
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
