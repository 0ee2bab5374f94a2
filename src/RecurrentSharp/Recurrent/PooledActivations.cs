namespace RecurrentSharp.Recurrent;

/// <summary>
/// How many bytes the fused recurrent layers hold from the shared array pool: the activations a training pass keeps
/// for backpropagation through time and backward's per-step gradients. They are borrowed, not allocated, because a
/// fresh multi-megabyte array per pass cost a full garbage collection and its page faults at nearly every training
/// step (mnist-rows: 8 MB a step, 48 full collections in 49 steps, median step 1.6× the fastest). A pass gives its
/// buffers back once its backward has run, so the same graph cannot be backpropagated twice (as in PyTorch without
/// <c>retain_graph</c>); a graph that is never backpropagated leaves them to the garbage collector.
/// </summary>
public static class PooledActivations
{
    private static long inUse, peak;

    /// <summary>Bytes borrowed now.</summary>
    public static long BytesInUse => Interlocked.Read(ref inUse);

    /// <summary>The most bytes borrowed at once since <see cref="ResetPeak"/> (memory measurements add it to the heap's).</summary>
    public static long PeakBytes => Interlocked.Read(ref peak);

    /// <summary>Starts a new high-water mark at the bytes borrowed now.</summary>
    public static void ResetPeak() => Interlocked.Exchange(ref peak, BytesInUse);

    internal static float[] Borrow(int length)
    {
        var buffer = System.Buffers.ArrayPool<float>.Shared.Rent(length);
        long now = Interlocked.Add(ref inUse, (long)buffer.Length * sizeof(float));
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
        return buffer;
    }

    internal static void GiveBack(float[] buffer)
    {
        Interlocked.Add(ref inUse, -(long)buffer.Length * sizeof(float));
        System.Buffers.ArrayPool<float>.Shared.Return(buffer);
    }
}
