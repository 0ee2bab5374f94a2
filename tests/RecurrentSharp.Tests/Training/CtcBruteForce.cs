namespace RecurrentSharp.Tests.Training;

/// <summary>
/// The definition of CTC, with no recursion: every one of the C^T frame-wise paths, its probability
/// Π_t p_t(π_t), and the labelling it collapses to (repeats merged, blanks dropped). Only for tiny T and C.
/// </summary>
internal static class CtcBruteForce
{
    /// <summary>p(labelling | x) for every labelling some path produces; <paramref name="logProbs"/> is (T, C) row-major.</summary>
    public static Dictionary<string, double> LabellingProbabilities(float[] logProbs, int T, int C, int blank)
    {
        var result = new Dictionary<string, double>();
        var path = new int[T];
        long count = (long)Math.Pow(C, T);
        for (long code = 0; code < count; code++)
        {
            long rest = code;
            double logP = 0;
            for (int t = 0; t < T; t++)
            {
                path[t] = (int)(rest % C);
                rest /= C;
                logP += logProbs[t * C + path[t]];
            }
            string key = Key(path, blank);
            result[key] = result.GetValueOrDefault(key) + Math.Exp(logP);
        }
        return result;
    }

    /// <summary>The collapsed labelling of a path as a string key (one char per label).</summary>
    public static string Key(ReadOnlySpan<int> path, int blank)
    {
        var chars = new List<char>();
        int previous = -1;
        foreach (int k in path)
        {
            if (k != previous && k != blank) chars.Add((char)k);
            previous = k;
        }
        return new string(chars.ToArray());
    }

    public static string Key(int[] labels) => new(labels.Select(l => (char)l).ToArray());
}
