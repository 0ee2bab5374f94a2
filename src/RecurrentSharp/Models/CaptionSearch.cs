using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// One decoding step of a captioning decoder for a batch of partial captions: <paramref name="rows"/> says which
/// of the previous step's rows each row continues (null: the same rows in the same order, as at the first step), so
/// the decoder first reorders its state that way; <paramref name="tokens"/> are the rows' previous words (the begin
/// token at the first step). Returns the logits (rows, vocabulary) of the next word.
/// </summary>
public delegate Tensor CaptionStep(int[]? rows, int[] tokens);

/// <summary>
/// Greedy decoding and length-normalised beam search over any captioning decoder given as a <see cref="CaptionStep"/>
/// (<see cref="CaptionDecoder"/> and <see cref="AttentionCaptionDecoder"/> share it).
/// </summary>
public static class CaptionSearch
{
    /// <summary>Greedy captioning of <paramref name="batch"/> images: the most likely word at each step until <paramref name="endId"/> or <paramref name="maxLength"/> words.</summary>
    public static List<int[]> Greedy(CaptionStep step, int batch, int beginId, int endId, int maxLength)
    {
        var words = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToList();
        var done = new bool[batch];
        var tokens = Enumerable.Repeat(beginId, batch).ToArray();
        for (int t = 0; t < maxLength && done.Contains(false); t++)
        {
            tokens = step(null, tokens).ArgMaxRows();
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                if (tokens[b] == endId) done[b] = true;
                else words[b].Add(tokens[b]);
            }
        }
        return words.Select(w => w.ToArray()).ToList();
    }

    /// <summary>
    /// Beam search for one image: keeps the <paramref name="width"/> most likely partial captions. A caption ends with
    /// <paramref name="endId"/> (whose log-probability counts) or, without it, on reaching <paramref name="maxLength"/>
    /// words (as greedy decoding stops). The finished caption with the best length-normalised log-probability,
    /// log p / (words + 1)^<paramref name="lengthPenalty"/>, wins.
    /// </summary>
    public static int[] Beam(CaptionStep step, int beginId, int endId, int maxLength, int width, double lengthPenalty = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        // The live captions: log p of each slot, and their words as back-pointers (written out only for a finished
        // caption that is the best so far). Every buffer is allocated here, once per search; a step reuses them.
        var liveLogP = new double[width];
        var nextLogP = new double[width];
        int live = 1;                                       // before step 0: the empty caption, log p = 0
        var history = new BeamHistory(width, maxLength);
        var candidates = new Candidate[width * (width + 1)];
        var topWords = new int[width + 1];
        var topValues = new float[width + 1];
        int[]? bestWords = null;
        double bestScore = 0;
        int[]? rows = null;
        var tokens = new[] { beginId };
        double Normalised(double logP, int words) => logP / Math.Pow(words + 1, lengthPenalty);
        for (int t = 0; t < maxLength && live > 0; t++)
        {
            var logits = step(rows, tokens);
            var logProbs = logits.LogSoftmax(-1).ToArray();
            int vocabulary = logits.Size(1);
            int count = 0;
            for (int b = 0; b < live; b++)
            {
                // The best width + 1 words of each beam are enough to find the best `width` live continuations overall.
                var row = logProbs.AsSpan(b * vocabulary, vocabulary);
                int top = TopIndices(row, topWords, topValues);
                foreach (int w in topWords.AsSpan(0, top))
                {
                    candidates[count] = new Candidate(count, b, w, liveLogP[b] + row[w]);
                    count++;
                }
            }
            candidates.AsSpan(0, count).Sort(Candidate.BestFirst);
            int next = 0;
            foreach (var (_, beam, word, logP) in candidates.AsSpan(0, count))
            {
                // A caption of t words (the live ones hold t) ends with the end word or, without it, at maxLength words.
                if (word == endId) KeepIfBest(t, beam, null, Normalised(logP, t));
                else if (t + 1 == maxLength) KeepIfBest(t, beam, word, Normalised(logP, maxLength));
                else
                {
                    history.Record(t, next, beam, word);
                    nextLogP[next++] = logP;
                }
                if (next == width) break;
            }
            if (next == 0) break;
            // Stop when no live beam can still beat the best finished caption (log-probabilities only fall; the
            // normalisation helps a caption most at the longest length).
            if (bestWords is not null && MostAnyCouldScore(nextLogP.AsSpan(0, next), t + 1) < bestScore) break;
            (liveLogP, nextLogP) = (nextLogP, liveLogP);
            live = next;
            // New arrays for the step each time, as it may keep the ones it was given (they are only width long).
            rows = history.Parents(t, live);
            tokens = history.LastTokens(t, live);
        }
        return bestWords ?? throw new InvalidOperationException("the beam search finished no caption: the step returned no words");

        // A finished caption, the `length` words of live slot `beam` then `last` if given, is written out only when it is
        // the first or scores higher than the best so far (by double.CompareTo, so the first of equal ones stays).
        void KeepIfBest(int length, int beam, int? last, double score)
        {
            if (bestWords is not null && score.CompareTo(bestScore) <= 0) return;
            bestWords = history.Tokens(length, beam, last);
            bestScore = score;
        }

        // The most a live caption of log p and `words` words could still score (by Enumerable.Max: a NaN only when all are).
        double MostAnyCouldScore(ReadOnlySpan<double> logP, int words)
        {
            double most = double.NaN;
            foreach (double p in logP)
            {
                double could = Math.Max(Normalised(p, maxLength), Normalised(p, words));
                if (double.IsNaN(most) || could > most) most = could;
            }
            return most;
        }
    }

    /// <summary>Beam <c>Beam</c> continued by word <c>Word</c>, with log p of the continuation; <c>Order</c> is when it was gathered.</summary>
    private readonly record struct Candidate(int Order, int Beam, int Word, double LogP)
    {
        /// <summary>A higher log p first (by <see cref="double.CompareTo(double)"/>); equal ones in the order they were gathered, as a stable sort.</summary>
        public static readonly Comparison<Candidate> BestFirst = static (a, b) =>
        {
            int byLogP = b.LogP.CompareTo(a.LogP);
            return byLogP != 0 ? byLogP : a.Order.CompareTo(b.Order);
        };
    }

    /// <summary>
    /// The indices of the <c>best.Length</c> largest values of <paramref name="row"/> (fewer if the row is shorter) into
    /// <paramref name="best"/>, largest first and equal ones by index; <paramref name="values"/> is scratch of the same
    /// length. Returns how many.
    /// </summary>
    private static int TopIndices(ReadOnlySpan<float> row, Span<int> best, Span<float> values)
    {
        int count = Math.Min(best.Length, row.Length);
        best = best[..count];
        values = values[..count];
        best.Clear();
        values.Fill(float.NegativeInfinity);
        for (int i = 0; i < row.Length; i++)
        {
            if (row[i] <= values[count - 1]) continue;
            int at = count - 1;
            while (at > 0 && values[at - 1] < row[i])
            {
                values[at] = values[at - 1];
                best[at] = best[at - 1];
                at--;
            }
            values[at] = row[i];
            best[at] = i;
        }
        return count;
    }
}
