using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data;

/// <summary>Example indices of a train / evaluation split, each in ascending order.</summary>
/// <param name="Train">Indices of the training examples.</param>
/// <param name="Evaluate">Indices of the held-out examples.</param>
public record SplitIndices(int[] Train, int[] Evaluate)
{
    /// <summary>The items at <see cref="Train"/> and at <see cref="Evaluate"/>.</summary>
    public (T[] Train, T[] Evaluate) Apply<T>(IReadOnlyList<T> items) =>
        (Train.Select(i => items[i]).ToArray(), Evaluate.Select(i => items[i]).ToArray());
}

/// <summary>A split that keeps groups (e.g. HAR subjects) whole: no group has examples on both sides.</summary>
/// <param name="Train">Indices of the training examples.</param>
/// <param name="Evaluate">Indices of the held-out examples.</param>
/// <param name="TrainGroups">The groups on the training side, ascending.</param>
/// <param name="EvaluateGroups">The held-out groups, ascending.</param>
public sealed record GroupSplit(int[] Train, int[] Evaluate, int[] TrainGroups, int[] EvaluateGroups) : SplitIndices(Train, Evaluate);

/// <summary>Seeded train / evaluation splits: plain, stratified by label, and by group.</summary>
public static class DataSplit
{
    /// <summary>
    /// Holds out round(<paramref name="evaluateFraction"/> × count) examples chosen at random
    /// (e.g. 0.1 for a 90/10 split, 0.05 for a held-out 5 %).
    /// </summary>
    public static SplitIndices Random(int count, double evaluateFraction, RandomGenerator random)
    {
        CheckFraction(evaluateFraction);
        int[] order = random.Permutation(count);
        int held = (int)Math.Round(count * evaluateFraction, MidpointRounding.AwayFromZero);
        return new SplitIndices(Sorted(order.AsSpan(held)), Sorted(order.AsSpan(0, held)));
    }

    /// <summary>
    /// Holds out round(<paramref name="evaluateFraction"/> × n_c) examples of every class c, chosen at
    /// random, so both sides keep the class proportions (e.g. 0.2 for the 80/20 SMS split, whose spam is 13 %).
    /// </summary>
    public static SplitIndices Stratified(IReadOnlyList<int> labels, double evaluateFraction, RandomGenerator random)
    {
        CheckFraction(evaluateFraction);
        var train = new List<int>();
        var evaluate = new List<int>();
        // Classes in ascending order, so the draw depends on the seed only.
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = group.ToArray();
            random.Shuffle<int>(members);
            int held = (int)Math.Round(members.Length * evaluateFraction, MidpointRounding.AwayFromZero);
            evaluate.AddRange(members.AsSpan(0, held));
            train.AddRange(members.AsSpan(held));
        }
        return new SplitIndices(Sorted(train.ToArray()), Sorted(evaluate.ToArray()));
    }

    /// <summary>
    /// Holds out <paramref name="evaluateGroupCount"/> groups chosen at random (e.g. 3 of the 9 HAR test
    /// subjects) with all their examples; the other groups train.
    /// </summary>
    public static GroupSplit ByGroup(IReadOnlyList<int> groups, int evaluateGroupCount, RandomGenerator random)
    {
        int[] distinct = groups.Distinct().Order().ToArray();
        if (evaluateGroupCount < 1 || evaluateGroupCount >= distinct.Length)
            throw new ArgumentOutOfRangeException(nameof(evaluateGroupCount), $"must leave at least one of the {distinct.Length} groups on each side, got {evaluateGroupCount}");
        random.Shuffle<int>(distinct);
        var held = distinct[..evaluateGroupCount].Order().ToArray();
        var kept = distinct[evaluateGroupCount..].Order().ToArray();
        var heldSet = held.ToHashSet();
        var train = new List<int>();
        var evaluate = new List<int>();
        for (int i = 0; i < groups.Count; i++) (heldSet.Contains(groups[i]) ? evaluate : train).Add(i);
        return new GroupSplit(train.ToArray(), evaluate.ToArray(), kept, held);
    }

    private static int[] Sorted(ReadOnlySpan<int> indices)
    {
        int[] result = indices.ToArray();
        Array.Sort(result);
        return result;
    }

    private static void CheckFraction(double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"must be in [0, 1], got {fraction}");
    }
}
