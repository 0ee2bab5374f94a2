namespace RecurrentSharp.Training.Metrics;

/// <summary>Chunk-level scores of a tagging run: precision, recall and F1 over whole chunks (in percent, as conlleval prints them).</summary>
/// <param name="Correct">Chunks found with the right boundaries and type.</param>
/// <param name="Predicted">Chunks in the predictions.</param>
/// <param name="Gold">Chunks in the gold tags.</param>
public readonly record struct ChunkScore(long Correct, long Predicted, long Gold)
{
    /// <summary>100 · correct / predicted.</summary>
    public double Precision => Predicted == 0 ? 0 : 100.0 * Correct / Predicted;

    /// <summary>100 · correct / gold.</summary>
    public double Recall => Gold == 0 ? 0 : 100.0 * Correct / Gold;

    /// <summary>The harmonic mean of precision and recall, in percent.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// CoNLL chunk-level F1 for IOB/BIO tags (B-X begins a chunk of type X, I-X continues it, O is outside),
/// following the rules of the conlleval script: a chunk counts as correct only when its start, end and
/// type all agree; an I-X that follows O or a different type starts a new chunk; E-X and S-X (IOBES) are
/// understood too.
/// </summary>
public static class ChunkF1
{
    /// <summary>Scores sentences of (gold tags, predicted tags) of equal length.</summary>
    public static ChunkScore Evaluate(IEnumerable<(IReadOnlyList<string> Gold, IReadOnlyList<string> Predicted)> sentences)
    {
        long correct = 0, predicted = 0, gold = 0;
        foreach (var (g, p) in sentences)
        {
            if (g.Count != p.Count) throw new ArgumentException($"A sentence has {g.Count} gold tags but {p.Count} predicted tags.");
            var goldChunks = Chunks(g);
            var predictedChunks = Chunks(p);
            gold += goldChunks.Count;
            predicted += predictedChunks.Count;
            correct += predictedChunks.Count(goldChunks.Contains);
        }
        return new ChunkScore(correct, predicted, gold);
    }

    /// <summary>The chunks of one tag sequence as (start, end exclusive, type).</summary>
    public static HashSet<(int Start, int End, string Type)> Chunks(IReadOnlyList<string> tags)
    {
        var chunks = new HashSet<(int, int, string)>();
        int start = -1;
        string type = "";
        string previousPrefix = "O", previousType = "";
        for (int i = 0; i <= tags.Count; i++)
        {
            var (prefix, tagType) = i < tags.Count ? Split(tags[i]) : ("O", "");
            if (start >= 0 && EndsChunk(previousPrefix, previousType, prefix, tagType))
            {
                chunks.Add((start, i, type));
                start = -1;
            }
            if (i < tags.Count && StartsChunk(previousPrefix, previousType, prefix, tagType))
            {
                start = i;
                type = tagType;
            }
            (previousPrefix, previousType) = (prefix, tagType);
        }
        return chunks;
    }

    private static (string Prefix, string Type) Split(string tag)
    {
        if (tag == "O" || tag.Length == 0) return ("O", "");
        int dash = tag.IndexOf('-');
        return dash < 0 ? (tag, "") : (tag[..dash], tag[(dash + 1)..]);
    }

    // conlleval's endOfChunk(prevTag, tag, prevType, type)
    private static bool EndsChunk(string prev, string prevType, string tag, string type) =>
        (prev == "B" && (tag == "B" || tag == "S" || tag == "O")) ||
        (prev == "I" && (tag == "B" || tag == "S" || tag == "O")) ||
        prev == "E" || prev == "S" ||
        (prev != "O" && prevType != type);

    // conlleval's startOfChunk(prevTag, tag, prevType, type)
    private static bool StartsChunk(string prev, string prevType, string tag, string type) =>
        tag == "B" || tag == "S" ||
        ((prev == "E" || prev == "S" || prev == "O") && (tag == "E" || tag == "I")) ||
        (tag != "O" && prevType != type);
}
