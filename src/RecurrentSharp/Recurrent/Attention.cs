using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using RecurrentSharp.Kernels;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>How a query is compared with each key (the alignment score e).</summary>
public enum AttentionScore
{
    /// <summary>Bahdanau et al. 2015, additive: e = vᵀ tanh(W_q q + W_k k).</summary>
    Additive,

    /// <summary>Luong et al. 2015, dot: e = qᵀ k (query and key of one size, no parameters).</summary>
    Dot,

    /// <summary>Luong et al. 2015, general: e = qᵀ W_a k.</summary>
    General,

    /// <summary>
    /// Luong et al. 2015, concat: e = vᵀ tanh(W_a [q; k]). With W_a = [W_q | W_k] this is the additive form,
    /// and it is stored that way (query_weight, key_weight, v).
    /// </summary>
    Concat,
}

/// <summary>
/// The keys (= values) a decoder attends to, prepared once per source batch: the keys (B, S, K), the part
/// of the score that depends only on the keys (W_k k for additive/concat, W_a k for general, k for dot),
/// and the source lengths (positions s ≥ length are padding and get weight exactly 0).
/// </summary>
public sealed class AttentionMemory
{
    internal AttentionMemory(Tensor keys, Tensor scoreKeys, int[] lengths)
    {
        Keys = keys;
        ScoreKeys = scoreKeys;
        Lengths = lengths;
    }

    /// <summary>The keys, which are also the values averaged into the context: (B, S, K).</summary>
    public Tensor Keys { get; }

    /// <summary>The key side of the score: (B, S, A) for additive/concat, (B, S, Q) for general and dot.</summary>
    public Tensor ScoreKeys { get; }

    /// <summary>The real length of each source (1 to S).</summary>
    public int[] Lengths { get; }

    /// <summary>Batch size B.</summary>
    public int Batch => Keys.Size(0);

    /// <summary>Source steps S.</summary>
    public int Steps => Keys.Size(1);

    /// <summary>The memory of the given batch rows, in that order (rows may repeat, as for the hypotheses of a beam).</summary>
    public AttentionMemory Rows(int[] rows) =>
        new(Keys.IndexSelect(0, rows), ScoreKeys.IndexSelect(0, rows), rows.Select(r => Lengths[r]).ToArray());
}

/// <summary>The result of attending: the context Σ_s a_s k_s (B, T, K) and the weights a (B, T, S), for display.</summary>
/// <param name="Context">The weighted average of the keys for each query.</param>
/// <param name="Weights">The attention weights; each row sums to 1 over the real source positions and is 0 on padding.</param>
public readonly record struct AttentionOutput(Tensor Context, Tensor Weights);

/// <summary>
/// Global soft attention over a padded batch of keys (Bahdanau et al. 2015; Luong et al. 2015). For each
/// query q_t (B, T, Q) and the keys k_s (B, S, K) of its source:
/// <code>
/// e_ts = score(q_t, k_s)                         (see <see cref="AttentionScore"/>)
/// a_ts = exp(e_ts) / Σ_{s' &lt; len} exp(e_ts')     for s &lt; len, and a_ts = 0 for s ≥ len (padding)
/// c_t  = Σ_s a_ts k_s
/// </code>
/// The projections W_q q and W_k k are ordinary matrix products; scoring, masked softmax and context are one
/// autograd node whose backward sits beside its forward below. A padded position is never read, so its key
/// gets exactly zero gradient.
/// </summary>
public sealed class Attention : Module
{
    /// <summary>Creates the layer. <paramref name="attentionSize"/> (A, additive/concat only) defaults to the query size.</summary>
    public Attention(AttentionScore score, int querySize, int keySize, int? attentionSize = null, RandomGenerator? random = null)
    {
        if (querySize <= 0 || keySize <= 0)
            throw new ArgumentOutOfRangeException(nameof(querySize), $"Attention({querySize}, {keySize}): sizes must be positive.");
        if (score == AttentionScore.Dot && querySize != keySize)
            throw new ArgumentException($"Attention: dot scoring needs queries and keys of one size, not {querySize} and {keySize}.", nameof(keySize));
        random ??= RandomGenerator.Default;
        Score = score;
        QuerySize = querySize;
        KeySize = keySize;
        if (score is AttentionScore.Additive or AttentionScore.Concat)
        {
            int a = attentionSize ?? querySize;
            if (a <= 0) throw new ArgumentOutOfRangeException(nameof(attentionSize), a, "Attention: attentionSize must be positive.");
            AttentionSize = a;
            // U(-1/√fan_in, 1/√fan_in), as Linear; W_a = [W_q | W_k] has fan-in Q + K.
            float bound = 1f / MathF.Sqrt(querySize + keySize);
            QueryWeight = RegisterParameter("query_weight", Tensor.RandomUniform(random, -bound, bound, a, querySize));
            KeyWeight = RegisterParameter("key_weight", Tensor.RandomUniform(random, -bound, bound, a, keySize));
            float vBound = 1f / MathF.Sqrt(a);
            V = RegisterParameter("v", Tensor.RandomUniform(random, -vBound, vBound, a));
        }
        else if (score == AttentionScore.General)
        {
            float bound = 1f / MathF.Sqrt(keySize);
            KeyWeight = RegisterParameter("weight", Tensor.RandomUniform(random, -bound, bound, querySize, keySize));
        }
    }

    /// <summary>The scoring form.</summary>
    public AttentionScore Score { get; }

    /// <summary>Query width Q.</summary>
    public int QuerySize { get; }

    /// <summary>Key (= value = context) width K.</summary>
    public int KeySize { get; }

    /// <summary>The width A of the additive score's hidden layer (0 for dot and general).</summary>
    public int AttentionSize { get; }

    /// <summary>W_q (A, Q) of the additive/concat score, else null.</summary>
    public Tensor? QueryWeight { get; }

    /// <summary>W_k (A, K) of the additive/concat score, W_a (Q, K) of the general score, null for dot.</summary>
    public Tensor? KeyWeight { get; }

    /// <summary>v (A) of the additive/concat score, else null.</summary>
    public Tensor? V { get; }

    private bool Additive => Score is AttentionScore.Additive or AttentionScore.Concat;

    /// <summary>Prepares keys (B, S, K) with their lengths for any number of <see cref="Forward"/> calls.</summary>
    public AttentionMemory Memory(Tensor keys, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(lengths);
        if (keys.Rank != 3 || keys.Size(2) != KeySize)
            throw new TensorShapeException("Attention", $"keys {TensorShape.Format(keys.Shape)} are not (batch, steps, {KeySize})");
        if (lengths.Length != keys.Size(0))
            throw new TensorShapeException("Attention", $"{lengths.Length} lengths for a batch of {keys.Size(0)} keys");
        foreach (int length in lengths)
            if (length < 1 || length > keys.Size(1))
                throw new TensorShapeException("Attention", $"source length {length} is outside 1..{keys.Size(1)}");
        // The key side of the score, computed once: W_k k (additive/concat) or W_a k (general), (B, S, ·).
        var scoreKeys = Score == AttentionScore.Dot ? keys : Tensor.MatMul(keys, KeyWeight!, transposeB: true);
        return new AttentionMemory(keys, scoreKeys, lengths);
    }

    /// <summary>Attends with queries (B, T, Q) over <paramref name="memory"/>: context (B, T, K) and weights (B, T, S).</summary>
    public AttentionOutput Forward(Tensor queries, AttentionMemory memory)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(memory);
        if (queries.Rank != 3 || queries.Size(2) != QuerySize || queries.Size(0) != memory.Batch)
            throw new TensorShapeException("Attention", $"queries {TensorShape.Format(queries.Shape)} are not ({memory.Batch}, steps, {QuerySize})");
        // The query side: u = W_q q (additive/concat), else q itself.
        var u = Additive ? Tensor.MatMul(queries, QueryWeight!, transposeB: true) : queries;
        return Attend(u, memory, Additive ? V : null);
    }

    /// <summary>
    /// The scoring, masked softmax and context node. <paramref name="v"/> set: e = vᵀ tanh(u + p);
    /// null: e = uᵀ p; where u is (B, T, N), p = memory.ScoreKeys (B, S, N). One pass per query row: its scores
    /// over the real positions, the masked softmax and the context, with no scratch memory.
    /// </summary>
    private static AttentionOutput Attend(Tensor u, AttentionMemory memory, Tensor? v)
    {
        var keys = memory.Keys;
        var p = memory.ScoreKeys;
        int[] lengths = memory.Lengths;
        int B = u.Size(0), T = u.Size(1), N = u.Size(2), S = keys.Size(1), K = keys.Size(2);
        bool pIsKeys = ReferenceEquals(p, keys);
        var context = new float[B * T * K];
        var weights = new float[B * T * S];
        {
            ReadOnlySpan<float> us = u.Data, ps = p.Data, ks = keys.Data, vs = v is null ? default : v.Data;
            for (int b = 0; b < B; b++)
            {
                int length = lengths[b];
                var pb = ps.Slice(b * S * N, length * N);   // p_0 … p_{len-1} of this source
                for (int t = 0; t < T; t++)
                {
                    var ut = us.Slice((b * T + t) * N, N);
                    var a = weights.AsSpan((b * T + t) * S, length);
                    // e_s = vᵀ tanh(u_t + p_s)  or  u_tᵀ p_s, for the real positions s < len only.
                    if (v is null)
                        for (int s = 0; s < length; s++) a[s] = TensorPrimitives.Dot(ut, pb.Slice(s * N, N));
                    else AdditiveScoreKernel.Forward(ut, pb, vs, a);
                    // a = softmax(e) over s < len (max subtracted for range); a_s = 0 for s ≥ len stays from the zeroed array.
                    float max = TensorPrimitives.Max(a);
                    TensorPrimitives.Subtract(a, max, a);
                    TensorPrimitives.Exp(a, a);
                    TensorPrimitives.Divide(a, TensorPrimitives.Sum(a), a);
                    // c_t = Σ_{s < len} a_s k_s
                    var c = context.AsSpan((b * T + t) * K, K);
                    for (int s = 0; s < length; s++)
                        TensorPrimitives.MultiplyAdd(ks.Slice((b * S + s) * K, K), a[s], c, c);
                }
            }
        }
        var contextTensor = Tensor.Wrap(context, B, T, K);
        var weightTensor = Tensor.Wrap(weights, B, T, S);
        Tensor[] inputs = v is null ? (pIsKeys ? [u, keys] : [u, p, keys]) : [u, p, v, keys];
        GradNode.Record(v is null ? "attention(multiplicative)" : "attention(additive)", [contextTensor, weightTensor], inputs, grads =>
        {
            ReadOnlySpan<float> dContext = grads[0] is null ? default : grads[0]!.Data;
            ReadOnlySpan<float> dWeights = grads[1] is null ? default : grads[1]!.Data;
            ReadOnlySpan<float> us = u.Data, ps = p.Data, ks = keys.Data, vs = v is null ? default : v.Data;
            var du = new float[B * T * N];
            var dp = new float[B * S * N];
            var dk = pIsKeys ? dp : new float[B * S * K];
            var dv = v is null ? null : new float[N];
            // ∂L/∂a and then ∂L/∂e of one row, in place: S floats on the stack (or, for long sources, one rented array).
            float[]? rented = S > 512 ? System.Buffers.ArrayPool<float>.Shared.Rent(S) : null;
            Span<float> de = rented is null ? stackalloc float[S] : rented.AsSpan(0, S);
            for (int b = 0; b < B; b++)
            {
                int length = lengths[b];
                var pb = ps.Slice(b * S * N, length * N);
                var dpb = dp.AsSpan(b * S * N, length * N);
                for (int t = 0; t < T; t++)
                {
                    int bt = b * T + t;
                    ReadOnlySpan<float> a = weights.AsSpan(bt * S, length);
                    var ut = us.Slice(bt * N, N);
                    var dut = du.AsSpan(bt * N, N);
                    var da = de[..length];
                    // ∂L/∂a_s = ∂L/∂c_t · k_s + ∂L/∂a_s (direct); ∂L/∂k_s += a_s ∂L/∂c_t
                    if (dWeights.IsEmpty) da.Clear();
                    else dWeights.Slice(bt * S, length).CopyTo(da);
                    if (!dContext.IsEmpty)
                    {
                        var dct = dContext.Slice(bt * K, K);
                        for (int s = 0; s < length; s++)
                        {
                            da[s] += TensorPrimitives.Dot(dct, ks.Slice((b * S + s) * K, K));
                            var dks = dk.AsSpan((b * S + s) * K, K);
                            TensorPrimitives.MultiplyAdd(dct, a[s], dks, dks);
                        }
                    }
                    // softmax: ∂L/∂e_s = a_s (∂L/∂a_s - Σ_s' a_s' ∂L/∂a_s')
                    float mean = TensorPrimitives.Dot(a, da);
                    TensorPrimitives.Subtract(da, mean, da);
                    TensorPrimitives.Multiply(da, a, da);
                    if (v is null)
                    {
                        // e = uᵀ p: ∂L/∂u += Σ_s de_s p_s, ∂L/∂p_s += de_s u
                        for (int s = 0; s < length; s++)
                        {
                            TensorPrimitives.MultiplyAdd(pb.Slice(s * N, N), da[s], dut, dut);
                            var dpt = dpb.Slice(s * N, N);
                            TensorPrimitives.MultiplyAdd(ut, da[s], dpt, dpt);
                        }
                    }
                    // e = vᵀ z, z = tanh(u + p): ∂L/∂v += de z; ∂L/∂(u+p) = de v ⊙ (1 - z²), one pass per key
                    else AdditiveScoreKernel.Backward(ut, pb, vs, da, dut, dpb, dv);
                }
            }
            if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
            var duTensor = Tensor.Wrap(du, B, T, N);
            var dkTensor = Tensor.Wrap(dk, B, S, K);
            if (v is null) return pIsKeys ? [duTensor, dkTensor] : [duTensor, Tensor.Wrap(dp, B, S, N), dkTensor];
            return [duTensor, Tensor.Wrap(dp, B, S, N), Tensor.Wrap(dv!, N), dkTensor];
        });
        return new AttentionOutput(contextTensor, weightTensor);
    }
}
