using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Data;

/// <summary>
/// Decides which examples go into which batch, in which order, for one epoch. Each batch is an array
/// of example indices; pad them with <see cref="PaddedSequences"/> / <see cref="PaddedVectors"/> and
/// gather their labels with the same indices.
/// </summary>
public static class BatchOrder
{
    /// <summary>Batches of consecutive examples in order (for evaluation); the last batch may be smaller.</summary>
    public static int[][] Sequential(int count, int batchSize)
    {
        CheckBatchSize(batchSize);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        return Cut(order, batchSize);
    }

    /// <summary>A random permutation of the examples cut into batches; the last batch may be smaller.</summary>
    public static int[][] Shuffled(int count, int batchSize, RandomGenerator random)
    {
        CheckBatchSize(batchSize);
        return Cut(random.Permutation(count), batchSize);
    }

    /// <summary>
    /// Bucketing by length, to cut padding while keeping batches random: shuffle the examples, take
    /// chunks of <paramref name="bucketBatches"/> × <paramref name="batchSize"/> examples, sort each chunk
    /// by length (longest first), cut it into batches, then shuffle the order of all batches. Examples
    /// in a batch then have similar lengths; <paramref name="bucketBatches"/> = 1 is plain shuffling.
    /// </summary>
    public static int[][] Bucketed(IReadOnlyList<int> lengths, int batchSize, int bucketBatches, RandomGenerator random)
    {
        CheckBatchSize(batchSize);
        if (bucketBatches < 1) throw new ArgumentOutOfRangeException(nameof(bucketBatches), "must be at least 1");
        int[] order = random.Permutation(lengths.Count);
        int chunk = batchSize * bucketBatches;
        for (int start = 0; start < order.Length; start += chunk)
        {
            var span = order.AsSpan(start, Math.Min(chunk, order.Length - start));
            // OrderBy is stable: equal lengths keep their shuffled order.
            span.ToArray().OrderByDescending(index => lengths[index]).ToArray().CopyTo(span);
        }
        var batches = Cut(order, batchSize);
        random.Shuffle<int[]>(batches);
        return batches;
    }

    private static int[][] Cut(int[] order, int batchSize)
    {
        var batches = new int[(order.Length + batchSize - 1) / batchSize][];
        for (int b = 0; b < batches.Length; b++)
            batches[b] = order.AsSpan(b * batchSize, Math.Min(batchSize, order.Length - b * batchSize)).ToArray();
        return batches;
    }

    private static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "must be at least 1");
    }
}
