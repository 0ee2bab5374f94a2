using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// The recurrent weight W_hh packed for the GEMM microkernel, once per pass instead of once per time
/// step. The packed buffers are kept between passes and refilled in place (the weights change after
/// every optimizer step), so steady-state training allocates nothing here. A buffer is lent to one pass
/// at a time, so concurrent passes over the same layer never share one.
/// </summary>
internal sealed class PackedWeightCache
{
    private readonly Dictionary<(bool Transposed, int FirstRow, int Rows), PackedMatrix> idle = [];

    /// <summary>
    /// Packs rows [firstRow, firstRow + rows) of a weight matrix (W_hh, rows × H, or W_ih, rows × I, row-major with
    /// <paramref name="rowLength"/> = H or I) as the right operand of a product: transposed (rowLength × rows) for the forward
    /// products h · W_hhᵀ and x · W_ihᵀ, or as is (rows × rowLength) for the backward step dG · W_hh. Dispose the lease to give the
    /// buffer back.
    /// </summary>
    public Lease Rent(ReadOnlySpan<float> weights, int rowLength, bool transposed, int firstRow, int rows)
    {
        var key = (transposed, firstRow, rows);
        PackedMatrix? reuse;
        lock (idle) idle.Remove(key, out reuse);
        var block = weights.Slice(firstRow * rowLength, rows * rowLength);
        var packed = transposed
            ? Gemm.PackB(true, rowLength, rows, block, rowLength, reuse)
            : Gemm.PackB(false, rows, rowLength, block, rowLength, reuse);
        return new Lease(this, key, packed);
    }

    /// <summary>A packed weight on loan to one pass.</summary>
    public readonly struct Lease(PackedWeightCache owner, (bool, int, int) key, PackedMatrix matrix) : IDisposable
    {
        /// <summary>The packed operand.</summary>
        public PackedMatrix Matrix => matrix;

        /// <summary>Returns the buffer to the cache (nothing for a default, empty lease).</summary>
        public void Dispose()
        {
            if (owner is null) return;
            lock (owner.idle) owner.idle[key] = matrix;
        }
    }
}
