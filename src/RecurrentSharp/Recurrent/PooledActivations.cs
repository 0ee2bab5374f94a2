namespace RecurrentSharp.Recurrent;

/// <summary>
/// How many bytes the fused recurrent layers hold from their buffer pool: the activations a training pass keeps
/// for backpropagation through time and backward's per-step gradients. They are borrowed, not allocated, because a
/// fresh multi-megabyte array per pass cost a full garbage collection and its page faults at nearly every training
/// step (mnist-rows: 8 MB a step, 108 full collections in 256 steps, median step 1.6× the fastest). A pass gives its
/// buffers back once its backward has run, so the same graph cannot be backpropagated twice (as in PyTorch without
/// <c>retain_graph</c>); a graph that is never backpropagated leaves them to the garbage collector.
/// </summary>
/// <remarks>
/// The pool is our own and keyed by exact length, not <c>ArrayPool&lt;float&gt;.Shared</c>, which rounds every request up to
/// a power of two and so could hold up to twice the activations BPTT needs. A training loop asks for the same lengths at
/// every step, so they come back exactly; at most <see cref="MaxIdleBytes"/> wait idle, beyond which a returned buffer is
/// left to the garbage collector.
/// </remarks>
public static class PooledActivations
{
    /// <summary>The most bytes kept idle between passes (512 MB).</summary>
    public const long MaxIdleBytes = 512L << 20;

    private static readonly Dictionary<int, Stack<float[]>> idle = [];
    private static long inUse, peak, idleBytes;

    /// <summary>Bytes borrowed now.</summary>
    public static long BytesInUse => Interlocked.Read(ref inUse);

    /// <summary>The most bytes borrowed at once since <see cref="ResetPeak"/> (memory measurements add it to the heap's).</summary>
    public static long PeakBytes => Interlocked.Read(ref peak);

    /// <summary>Starts a new high-water mark at the bytes borrowed now.</summary>
    public static void ResetPeak() => Interlocked.Exchange(ref peak, BytesInUse);

    /// <summary>An array of exactly <paramref name="length"/> floats, idle since an earlier pass (its old contents) or new.</summary>
    internal static float[] Borrow(int length)
    {
        float[]? buffer = null;
        lock (idle)
            if (idle.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                idleBytes -= (long)length * sizeof(float);
            }
        buffer ??= GC.AllocateUninitializedArray<float>(length);
        long now = Interlocked.Add(ref inUse, (long)length * sizeof(float));
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen) { }
        return buffer;
    }

    internal static void GiveBack(float[] buffer)
    {
        long bytes = (long)buffer.Length * sizeof(float);
        Interlocked.Add(ref inUse, -bytes);
        lock (idle)
        {
            if (idleBytes + bytes > MaxIdleBytes) return;
            if (!idle.TryGetValue(buffer.Length, out var stack)) idle[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            idleBytes += bytes;
        }
    }

    /// <summary>Fills every idle buffer with NaN (tests: a pass must not read what it did not write).</summary>
    internal static void PoisonIdleBuffers()
    {
        lock (idle)
            foreach (var stack in idle.Values)
                foreach (var buffer in stack) Array.Fill(buffer, float.NaN);
    }
}
