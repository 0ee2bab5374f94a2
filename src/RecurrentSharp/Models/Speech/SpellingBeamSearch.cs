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
        var live = new List<(int[] Tokens, double LogP)> { ([], 0.0) };
        var finished = new List<SpelledHypothesis>();
        int[] parents = [0], tokens = [beginId];
        double Normalised(double logP, int length) => logP / Math.Pow(length, lengthPenalty);
        for (int t = 0; t < maxLength && live.Count > 0; t++)
        {
            var logProbs = step(parents, tokens);
            if (logProbs.Length != live.Count * vocabulary)
                throw new ArgumentException($"the step returned {logProbs.Length} log-probabilities for {live.Count} hypotheses of {vocabulary} tokens", nameof(step));
            // The beam has room for width − finished hypotheses. Every extension is a candidate (a speller's
            // vocabulary is a few dozen letters, so sorting them all costs nothing next to the step).
            int room = width - finished.Count;
            var candidates = new List<(int Parent, int Token, double LogP)>(live.Count * vocabulary);
            for (int i = 0; i < live.Count; i++)
                for (int token = 0; token < vocabulary; token++)
                    candidates.Add((i, token, live[i].LogP + logProbs[i * vocabulary + token]));
            // Stable: equal scores keep the order of their parents and then of the token ids, as greedy's argmax takes the first maximum.
            var kept = candidates.OrderByDescending(c => c.LogP).Take(room).ToList();
            var next = new List<(int[] Tokens, double LogP)>();
            var nextParents = new List<int>();
            foreach (var (parent, token, logP) in kept)
            {
                var prefix = live[parent].Tokens;
                if (token == endId) finished.Add(new(prefix, logP, Normalised(logP, prefix.Length + 1)));
                else if (t + 1 == maxLength) finished.Add(new([.. prefix, token], logP, Normalised(logP, prefix.Length + 1)));
                else
                {
                    next.Add(([.. prefix, token], logP));
                    nextParents.Add(parent);
                }
            }
            live = next;
            parents = [.. nextParents];
            tokens = next.Select(h => h.Tokens[^1]).ToArray();
        }
        return [.. finished.OrderByDescending(h => h.Score)];
    }
}
