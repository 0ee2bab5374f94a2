namespace RecurrentSharp.Models;

/// <summary>A labelling found by CTC decoding and its log-probability log p(l | x) summed over the alignments the search kept.</summary>
public sealed record CtcHypothesis(int[] Labels, double LogProbability);

/// <summary>
/// CTC prefix beam search (Graves 2006's prefix search with a beam, as in Hannun et al. 2014): keeps the
/// <c>width</c> most probable label prefixes, each with the log-probability of its alignments that end in a
/// blank (p_b) and in its last label (p_nb), so that alignments of the same labelling are summed, not
/// competing as in best-path decoding. With a width at least the number of possible prefixes it is exact:
/// it returns the most probable labelling.
/// </summary>
public static class CtcPrefixBeamSearch
{
    /// <summary>
    /// Decodes rows of log-probabilities (row t at t·<paramref name="stride"/>, <paramref name="classes"/> values)
    /// and returns the hypotheses, most probable first (at most <paramref name="width"/>).
    /// </summary>
    /// <remarks>
    /// <code>
    /// start: the empty prefix ∅ with p_b = 0 (log 1), p_nb = −∞
    /// step t, prefix ℓ with (p_b, p_nb), class k, y = y_t(k):
    ///   k = blank:          ℓ   gets p_b  ⊕= lse(p_b, p_nb) + y
    ///   k = last label of ℓ: ℓ  gets p_nb ⊕= p_nb + y         (a repeat without a blank collapses)
    ///                       ℓk gets p_nb ⊕= p_b + y           (a blank in between makes a new label)
    ///   otherwise:          ℓk gets p_nb ⊕= lse(p_b, p_nb) + y
    /// keep the width prefixes with the largest lse(p_b, p_nb)          (⊕= is log-add)
    /// </code>
    /// </remarks>
    public static IReadOnlyList<CtcHypothesis> Decode(ReadOnlySpan<float> logProbs, int frames, int classes, int stride, int blank, int width)
    {
        CtcGreedyDecoder.CheckLayout(logProbs, frames, classes, stride);
        if ((uint)blank >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(blank), blank, $"blank must be in 0..{classes - 1}");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the beam width must be at least 1");

        var beam = new Dictionary<string, (double Blank, double NonBlank)> { [""] = (0.0, double.NegativeInfinity) };
        var next = new Dictionary<string, (double Blank, double NonBlank)>();
        for (int t = 0; t < frames; t++)
        {
            var y = logProbs.Slice(t * stride, classes);
            next.Clear();
            foreach (var (prefix, (pb, pnb)) in beam)
            {
                double total = LogAdd(pb, pnb);
                int last = prefix.Length > 0 ? prefix[^1] : -1;
                for (int k = 0; k < classes; k++)
                {
                    double yk = y[k];
                    if (k == blank)
                    {
                        Add(next, prefix, total + yk, blank: true);
                        continue;
                    }
                    string extended = prefix + (char)k;
                    if (k == last)
                    {
                        Add(next, prefix, pnb + yk, blank: false);
                        Add(next, extended, pb + yk, blank: false);
                    }
                    else
                    {
                        Add(next, extended, total + yk, blank: false);
                    }
                }
            }
            (beam, next) = (next, beam);
            if (beam.Count > width)
            {
                var kept = beam.OrderByDescending(p => LogAdd(p.Value.Blank, p.Value.NonBlank)).ThenBy(p => p.Key, StringComparer.Ordinal).Take(width).ToList();
                beam.Clear();
                foreach (var p in kept) beam[p.Key] = p.Value;
            }
        }
        return beam
            .Select(p => new CtcHypothesis(p.Key.Select(ch => (int)ch).ToArray(), LogAdd(p.Value.Blank, p.Value.NonBlank)))
            .OrderByDescending(h => h.LogProbability)
            .ToList();
    }

    private static void Add(Dictionary<string, (double Blank, double NonBlank)> beam, string prefix, double logP, bool blank)
    {
        if (double.IsNegativeInfinity(logP)) return; // no alignment (e.g. "aa" from "a" that never ended in a blank)
        var (pb, pnb) = beam.TryGetValue(prefix, out var v) ? v : (double.NegativeInfinity, double.NegativeInfinity);
        beam[prefix] = blank ? (LogAdd(pb, logP), pnb) : (pb, LogAdd(pnb, logP));
    }

    /// <summary>log(e^a + e^b), exact for −∞.</summary>
    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        double m = Math.Max(a, b);
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
    }
}
