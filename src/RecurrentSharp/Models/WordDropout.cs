using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// Word dropout on a decoder's teacher-forced inputs (Bowman et al. 2016, "Generating sentences from a continuous
/// space"): every input token after the first (&lt;bos&gt;) is replaced with probability p by a token that says nothing
/// (the padding id, whose embedding is zero), so the decoder cannot write a sequence from its own previous tokens alone
/// and has to carry what it writes in its code. Targets are untouched; used in training only.
/// </summary>
public static class WordDropout
{
    /// <summary>The inputs with each token after the first replaced by <paramref name="replacement"/> with probability <paramref name="probability"/>.</summary>
    public static IReadOnlyList<int>[] Apply(IReadOnlyList<IReadOnlyList<int>> inputs, float probability, int replacement, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(random);
        if (!(probability >= 0f && probability < 1f))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Word dropout must be in [0, 1).");
        var result = new IReadOnlyList<int>[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            var ids = inputs[i].ToArray();
            if (probability > 0f)
                for (int t = 1; t < ids.Length; t++)
                    if (random.NextFloat() < probability) ids[t] = replacement;
            result[i] = ids;
        }
        return result;
    }
}
