using RecurrentSharp.Data;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// The <c>k</c> vectors most similar to a query by cosine similarity, offered one at a time (so the vectors of a whole
/// training set need never be held at once). Ties keep the earlier offer; a zero vector (no direction) is never near.
/// </summary>
public sealed class NearestCodes
{
    private readonly float[] query;
    private readonly int k;
    private readonly List<(int Index, float Similarity)> best = [];

    /// <summary>Starts a search for the <paramref name="k"/> nearest to <paramref name="query"/>.</summary>
    public NearestCodes(ReadOnlySpan<float> query, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        this.query = query.ToArray();
        this.k = k;
    }

    /// <summary>The nearest so far, most similar first: the index given with each vector and its cosine similarity.</summary>
    public IReadOnlyList<(int Index, float Similarity)> Best => best;

    /// <summary>Considers one vector (as long as the query).</summary>
    public void Offer(int index, ReadOnlySpan<float> vector)
    {
        if (vector.Length != query.Length) throw new ArgumentException($"NearestCodes: a vector of {vector.Length} values for a query of {query.Length}.", nameof(vector));
        float similarity = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query, vector);
        if (float.IsNaN(similarity)) return;
        int at = best.Count;
        while (at > 0 && best[at - 1].Similarity < similarity) at--;
        if (at >= k) return;
        best.Insert(at, (index, similarity));
        if (best.Count > k) best.RemoveAt(k);
    }

    /// <summary>
    /// For each query, the <paramref name="k"/> candidates whose codes are most similar: the codes are computed
    /// <paramref name="batchSize"/> candidates at a time by <paramref name="codesOf"/> (rows in the order given, no gradient).
    /// With <paramref name="centred"/>, queries and candidates are first centred on the candidates' mean code (one more
    /// pass over them): codes that share a large common part (every cosine about 0.999) then rank by what tells them apart.
    /// </summary>
    public static List<(int Index, float Similarity)>[] Search(IReadOnlyList<float[]> queries, int k, IReadOnlyList<int> candidates,
        Func<int[], Tensor> codesOf, int batchSize = 128, bool centred = false)
    {
        using var noGrad = new NoGradScope();
        float[]? mean = centred && candidates.Count > 1 ? Mean(candidates, codesOf, batchSize) : null;
        float[] Centre(float[] code)
        {
            if (mean is null) return code;
            System.Numerics.Tensors.TensorPrimitives.Subtract(code, mean, code);
            return code;
        }
        var searches = queries.Select(q => new NearestCodes(Centre([.. q]), k)).ToArray();
        foreach (var batch in BatchOrder.Sequential(candidates.Count, batchSize))
        {
            var ids = batch.Select(i => candidates[i]).ToArray();
            var codes = codesOf(ids);
            for (int row = 0; row < ids.Length; row++)
            {
                var code = Centre(codes.Select(0, row).ToArray());
                foreach (var search in searches) search.Offer(ids[row], code);
            }
        }
        return searches.Select(s => s.Best.ToList()).ToArray();
    }

    /// <summary>The mean code of the candidates (accumulated in double, batch by batch).</summary>
    private static float[] Mean(IReadOnlyList<int> candidates, Func<int[], Tensor> codesOf, int batchSize)
    {
        double[]? sum = null;
        foreach (var batch in BatchOrder.Sequential(candidates.Count, batchSize))
        {
            var codes = codesOf(batch.Select(i => candidates[i]).ToArray());
            int width = codes.Size(1);
            sum ??= new double[width];
            var data = codes.Data;
            for (int row = 0; row < codes.Size(0); row++)
                for (int j = 0; j < width; j++) sum[j] += data[row * width + j];
        }
        return sum!.Select(x => (float)(x / candidates.Count)).ToArray();
    }
}
