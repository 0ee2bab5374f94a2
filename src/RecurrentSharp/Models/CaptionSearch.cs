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
        var beams = new List<(int[] Words, double LogP)> { ([], 0) };
        var finished = new List<(int[] Words, double Score)>();
        int[]? rows = null;
        var tokens = new[] { beginId };
        double Normalised(double logP, int words) => logP / Math.Pow(words + 1, lengthPenalty);
        for (int t = 0; t < maxLength && beams.Count > 0; t++)
        {
            var logits = step(rows, tokens);
            var logProbs = logits.LogSoftmax(-1).ToArray();
            int vocabulary = logits.Size(1);
            var candidates = new List<(int Beam, int Word, double LogP)>();
            for (int b = 0; b < beams.Count; b++)
            {
                // The best width + 1 words of each beam are enough to find the best `width` live continuations overall.
                var row = logProbs.AsSpan(b * vocabulary, vocabulary);
                foreach (int w in TopIndices(row, width + 1)) candidates.Add((b, w, beams[b].LogP + row[w]));
            }
            var next = new List<(int Beam, int Word, double LogP)>();
            foreach (var c in candidates.OrderByDescending(c => c.LogP))
            {
                if (c.Word == endId) finished.Add((beams[c.Beam].Words, Normalised(c.LogP, beams[c.Beam].Words.Length)));
                else if (t + 1 == maxLength) finished.Add(([.. beams[c.Beam].Words, c.Word], Normalised(c.LogP, maxLength)));
                else next.Add(c);
                if (next.Count == width) break;
            }
            if (next.Count == 0) break;
            // Stop when no live beam can still beat the best finished caption (log-probabilities only fall; the
            // normalisation helps a caption most at the longest length).
            if (finished.Count > 0 && next.Max(c => Math.Max(Normalised(c.LogP, maxLength), Normalised(c.LogP, t + 1))) < finished.Max(f => f.Score)) break;
            rows = next.Select(c => c.Beam).ToArray();
            beams = next.Select(c => ((int[])[.. beams[c.Beam].Words, c.Word], c.LogP)).ToList();
            tokens = next.Select(c => c.Word).ToArray();
        }
        return finished.MaxBy(f => f.Score).Words;
    }

    private static int[] TopIndices(ReadOnlySpan<float> row, int count)
    {
        count = Math.Min(count, row.Length);
        var best = new int[count];
        var values = new float[count];
        Array.Fill(values, float.NegativeInfinity);
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
        return best;
    }
}
