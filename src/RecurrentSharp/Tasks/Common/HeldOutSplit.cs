using RecurrentSharp.Data;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// The split of the tasks that hold out a seeded fraction: the held-out part, then the same fraction of the rest for
/// choosing the epoch. Drawing it again from the same seed gives the same parts, which is how a saved model finds its
/// held-out examples (eval) and its training examples (predict --nearest).
/// </summary>
public static class HeldOutSplit
{
    /// <summary>
    /// Draws the split of <paramref name="count"/> examples; <paramref name="limit"/> (--limit) caps the training part and a
    /// quarter of it the other two.
    /// </summary>
    public static (int[] Train, int[] Validation, int[] Test) Draw(int count, double fraction, RandomGenerator random, int? limit)
    {
        var split = DataSplit.Random(count, fraction, random);
        var inner = DataSplit.Random(split.Train.Length, fraction, random);
        int[] train = inner.Train.Select(i => split.Train[i]).ToArray(), validation = inner.Evaluate.Select(i => split.Train[i]).ToArray(), test = split.Evaluate;
        if (limit is not { } n) return (train, validation, test);
        return (train.Take(n).ToArray(), validation.Take(Math.Max(1, n / 4)).ToArray(), test.Take(Math.Max(1, n / 4)).ToArray());
    }
}
