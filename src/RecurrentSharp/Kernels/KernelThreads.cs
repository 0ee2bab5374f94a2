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
    /// (inline when only one thread or one part).
    /// </summary>
    public static void For(int parts, Action<int> body)
    {
        int threads = Math.Min(Count, parts);
        if (threads <= 1)
        {
            for (int i = 0; i < parts; i++) body(i);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
