namespace RecurrentSharp.Models;

/// <summary>One finished spelling of <see cref="SpellingBeamSearch"/>: its tokens (without begin and end), log P(y | x)
/// (the end token's included when it ended) and the length-normalised score it was ranked by.</summary>
public readonly record struct SpelledHypothesis(int[] Tokens, double LogProbability, double Score);

/// <summary>
/// Beam search for a left-to-right decoder that emits one token per step until an end token (the listen-attend-spell
/// speller). It keeps the <c>width</c> most likely prefixes; at each step every live prefix y is extended by its
/// best tokens and, of all extensions, the <c>width</c> best by log P(y) stay:
/// <code>
/// log P(y_1..y_t | x) = log P(y_1..y_{t-1} | x) + log P(y_t | y_&lt;t, x)
/// </code>
/// An extension by the end token is finished and leaves the beam, which shrinks by one (so width 1 is exactly greedy
/// decoding); a prefix that reaches <c>maxLength</c> tokens is finished without it, as greedy decoding stops there.
/// The search ends when <c>width</c> hypotheses are finished or none is live. Finished hypotheses are ranked by the
/// length-normalised log-probability log P(y | x) / (|y| + 1)^α (the +1 is the end token; α = <c>lengthPenalty</c>,
/// 0 ranks by log P alone), because every token costs log-probability and would otherwise favour short spellings.
/// </summary>
public static class SpellingBeamSearch
{
    /// <summary>
    /// The decoder's next-token log-probabilities for the live hypotheses: hypothesis i extends the hypothesis
    /// <c>parents[i]</c> of the previous call (its state is that one's) by the token <c>tokens[i]</c> (the first call
    /// has one hypothesis, parent 0, reading the begin token). Returns n × V log-probabilities, row-major.
    /// </summary>
    public delegate float[] NextTokenLogProbabilities(int[] parents, int[] tokens);

    /// <summary>Every finished hypothesis, best first (the first is the answer).</summary>
    public static List<SpelledHypothesis> Search(NextTokenLogProbabilities step, int vocabulary, int beginId, int endId, int width, int maxLength,
        double lengthPenalty = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        var finished = new List<SpelledHypothesis>(width);
        // The live hypotheses: log P(y | x) of each slot, and their tokens as back-pointers (written out only when one
        // finishes). Every buffer is allocated here, once per search; a step reuses them.
        var liveLogP = new double[width];
        var nextLogP = new double[width];
        int live = 1;                                       // before step 0: the empty hypothesis, log P = 0
        var history = new BeamHistory(width, maxLength);
        var best = new Extension[width];
        int[] parents = [0], tokens = [beginId];
        double Normalised(double logP, int length) => logP / Math.Pow(length, lengthPenalty);
        for (int t = 0; t < maxLength && live > 0; t++)
        {
            var logProbs = step(parents, tokens);
            if (logProbs.Length != live * vocabulary)
                throw new ArgumentException($"the step returned {logProbs.Length} log-probabilities for {live} hypotheses of {vocabulary} tokens", nameof(step));
            // The beam has room for width − finished hypotheses; the live ones hold t tokens each.
            int room = width - finished.Count;
            int kept = SelectBest(logProbs, liveLogP.AsSpan(0, live), vocabulary, best.AsSpan(0, room));
            int next = 0;
            // Normalised by t + 1: the t tokens and the end, or, cut at maxLength, the t + 1 tokens without it.
            foreach (var (parent, token, logP) in best.AsSpan(0, kept))
            {
                if (token == endId) finished.Add(new(history.Tokens(t, parent), logP, Normalised(logP, t + 1)));
                else if (t + 1 == maxLength) finished.Add(new(history.Tokens(t, parent, token), logP, Normalised(logP, t + 1)));
                else
                {
                    history.Record(t, next, parent, token);
                    nextLogP[next++] = logP;
                }
            }
            (liveLogP, nextLogP) = (nextLogP, liveLogP);
            live = next;
            // New arrays for the step each time, as it may keep the ones it was given (they are only width long).
            parents = history.Parents(t, live);
            tokens = history.LastTokens(t, live);
        }
        return [.. finished.OrderByDescending(h => h.Score)];
    }

    /// <summary>Live hypothesis <c>Parent</c> extended by <c>Token</c>, with log P(y | x) of the extension.</summary>
    private readonly record struct Extension(int Parent, int Token, double LogP);

    /// <summary>
    /// The best extensions of the live hypotheses, at most <c>best.Length</c>, into <paramref name="best"/> best first;
    /// returns how many (fewer only when there are fewer extensions). Live hypothesis i extended by token v has
    /// <code>
    /// log P = liveLogP[i] + logProbs[i·V + v]
    /// </code>
    /// A higher log P ranks first (by <see cref="double.CompareTo(double)"/>, so a NaN ranks last) and equal ones keep
    /// the order of their parents and then of the token ids, as greedy's argmax takes the first maximum: exactly the
    /// first <c>best.Length</c> of a stable sort of all of them, without sorting them all.
    /// </summary>
    private static int SelectBest(ReadOnlySpan<float> logProbs, ReadOnlySpan<double> liveLogP, int vocabulary, Span<Extension> best)
    {
        int count = 0;
        for (int parent = 0; parent < liveLogP.Length; parent++)
            for (int token = 0; token < vocabulary; token++)
            {
                double logP = liveLogP[parent] + logProbs[parent * vocabulary + token];
                // It goes below every kept one that ranks at least as high (those came first, so ties stay in order).
                int at = count;
                while (at > 0 && best[at - 1].LogP.CompareTo(logP) < 0) at--;
                if (at == best.Length) continue;            // full of extensions at least as good
                if (count < best.Length) count++;
                best[at..(count - 1)].CopyTo(best[(at + 1)..]);   // the lower ones move down one; a full buffer drops its last
                best[at] = new Extension(parent, token, logP);
            }
        return count;
    }
}
