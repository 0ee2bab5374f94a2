using System.Runtime.InteropServices;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// A layer's weight (W_hh, or W_ih) packed for the GEMM microkernel, once per pass instead of once per time step. The packed
/// buffers are kept between passes and refilled in place (the weights change after every optimizer step), so steady-state
/// training allocates nothing here. A buffer is lent to one pass at a time, so concurrent passes over the same layer never share one.
/// </summary>
/// <remarks>
/// Inference passes (<c>reuseUnchanged</c>) also keep a copy of the weights they packed, and the next such pass whose weights are
/// bit for bit that copy takes the packed buffer as it is. The weights are a writable span (<see cref="Tensors.Tensor.Data"/>):
/// an optimizer, a state-dict load or a user may have written them since, and only the comparison can tell. Comparing reads the
/// weights and the copy in order, where packing reads the weights across their rows and writes the panels: for the latency
/// configuration (B = 1, H = 256, W_hh 1 MB) the packing took 10.9% of perf's samples, and 0.6% with the comparison instead (AVX2 EPYC).
/// Training repacks at every pass, and a training pass drops the copy an earlier inference pass left.
/// </remarks>
internal sealed class PackedWeightCache
{
    private readonly Dictionary<(bool Transposed, int FirstRow, int Rows), Entry> idle = [];

    /// <summary>A packed buffer, and the weights it was packed from when an inference pass kept them (<see cref="SourceValid"/>).</summary>
    internal sealed class Entry(PackedMatrix matrix)
    {
        public PackedMatrix Matrix = matrix;
        public float[]? Source;
        public bool SourceValid;
        /// <summary>On loan to a pass: set by <see cref="Rent"/>, cleared by the lease's one <see cref="Lease.Dispose"/>.</summary>
        public bool Lent;
    }

    /// <summary>
    /// The largest weight whose packing is kept for reuse: 4 × L2 (2 MB on the AVX2 EPYC, 512 KB of L2). The copy and the comparison
    /// read twice the weight at every pass. With both of wide's 16 MB weights kept (and W_ih packed whole for the all-steps product,
    /// which <see cref="DirectionPass"/> no longer does for such a W_ih), its inference ran 122/111 → 160/146 ms per pass (1 thread,
    /// scratch harness, min of 3 s), while the latency configuration's 1 MB W_hh gained; why is not measured (our guess: the
    /// copies push the packed W_hh out of L3). The bound lies between those two points; nothing near 2 MB was measured.
    /// </summary>
    internal static long MaxReusedBytes = 4 * CacheSizes.L2;

    /// <summary>Whether a weight of <paramref name="bytes"/> has its packing kept between inference passes (<see cref="MaxReusedBytes"/>).</summary>
    internal static bool Keeps(long bytes) => bytes <= MaxReusedBytes;

    private static long reuses;

    /// <summary>How many rentals so far took a packed buffer without packing, the weights unchanged (tests check that it is taken).</summary>
    internal static long Reuses => Interlocked.Read(ref reuses);

    /// <summary>
    /// Packs rows [firstRow, firstRow + rows) of a weight matrix (W_hh, rows × H, or W_ih, rows × I, row-major with
    /// <paramref name="rowLength"/> = H or I) as the right operand of a product: transposed (rowLength × rows) for the forward
    /// products h · W_hhᵀ and x · W_ihᵀ, or as is (rows × rowLength) for the backward step dG · W_hh. With
    /// <paramref name="reuseUnchanged"/> (inference), a buffer packed from the same bits is lent without packing again (weights up to
    /// <see cref="MaxReusedBytes"/>).
    /// Dispose the lease to give the buffer back.
    /// </summary>
    public Lease Rent(ReadOnlySpan<float> weights, int rowLength, bool transposed, int firstRow, int rows, bool reuseUnchanged = false)
    {
        var key = (transposed, firstRow, rows);
        Entry? entry;
        lock (idle) idle.Remove(key, out entry);
        var block = weights.Slice(firstRow * rowLength, rows * rowLength);
        reuseUnchanged &= Keeps((long)block.Length * sizeof(float));
        if (reuseUnchanged && entry is { SourceValid: true, Source: { } source } && source.Length == block.Length
            && MemoryMarshal.AsBytes(source.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(block)))
        {
            Interlocked.Increment(ref reuses);
            entry.Lent = true;
            return new Lease(this, key, entry);
        }
        var packed = transposed
            ? Gemm.PackB(true, rowLength, rows, block, rowLength, entry?.Matrix)
            : Gemm.PackB(false, rows, rowLength, block, rowLength, entry?.Matrix);
        entry ??= new Entry(packed);
        entry.Matrix = packed;
        entry.SourceValid = false;
        if (reuseUnchanged)
        {
            if (entry.Source is null || entry.Source.Length != block.Length) entry.Source = GC.AllocateUninitializedArray<float>(block.Length);
            block.CopyTo(entry.Source);
            entry.SourceValid = true;
        }
        else entry.Source = null;   // training: the weights change at every step, so a copy would only hold memory
        entry.Lent = true;
        return new Lease(this, key, entry);
    }

    /// <summary>A packed weight on loan to one pass.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly PackedWeightCache? owner;
        private readonly (bool, int, int) key;
        private readonly Entry? entry;

        internal Lease(PackedWeightCache owner, (bool, int, int) key, Entry entry)
        {
            this.owner = owner;
            this.key = key;
            this.entry = entry;
        }

        /// <summary>The packed operand.</summary>
        public PackedMatrix Matrix => entry?.Matrix ?? throw new InvalidOperationException("PackedWeightCache: an empty lease has no packed matrix.");

        /// <summary>
        /// Returns the buffer to the cache (nothing for a default, empty lease). A second dispose, of this lease or a copy, is an
        /// error: the buffer might already be lent to another pass, which a third would then repack under it.
        /// </summary>
        public void Dispose()
        {
            if (owner is null) return;
            lock (owner.idle)
            {
                if (!entry!.Lent) throw new InvalidOperationException("PackedWeightCache: a lease was given back twice.");
                entry.Lent = false;
                owner.idle[key] = entry;
            }
        }
    }
}
