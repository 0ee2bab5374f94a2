using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Poetry;

/// <summary>
/// The poem task's flat baseline: the sequence autoencoder (<see cref="Seq2Seq"/> without attention) reading the whole
/// poem as one sequence, its lines joined by the separator token ('/'), backwards (as the seq2seq autoencoder reads).
/// The training loss drops the decoder's inputs with probability <c>wordDropout</c> (<see cref="WordDropout"/>), scores never do.
/// </summary>
internal sealed class FlatPoemCoder(Seq2Seq model, int separatorId, int maxLines, int maxLineLength, float wordDropout = 0f, RandomGenerator? random = null) : PoemCoder
{
    /// <inheritdoc/>
    public override Module Network => model;

    /// <inheritdoc/>
    public override int CodeSize => (model.Cell.HasCellState ? 2 : 1) * model.Decoder.NumLayers * model.Decoder.HiddenSize;

    /// <inheritdoc/>
    public override Tensor Loss(IReadOnlyList<int[][]> poems)
    {
        var (logits, targets, mask) = TeacherForced(poems, wordDropout);
        return Losses.CrossEntropy(logits, targets, mask: mask);
    }

    /// <inheritdoc/>
    public override (long Right, long Positions, double LossSum) Score(IReadOnlyList<int[][]> poems)
    {
        var (logits, targets, mask) = TeacherForced(poems, 0f);
        var (right, positions) = Count(logits, targets, mask);
        return (right, positions, Losses.CrossEntropy(logits, targets, reduction: Reduction.Sum, mask: mask).Item());
    }

    /// <inheritdoc/>
    public override Tensor Code(IReadOnlyList<int[][]> poems) => model.Code(Source(poems));

    /// <inheritdoc/>
    public override List<int[][]> DecodeFrom(Tensor codes) =>
        model.DecodeFrom(codes, maxLines * (maxLineLength + 1) + 1).Select(SplitLines).ToList();

    /// <summary>The lines of one decoded sequence (cut at the separator; empty pieces are no line).</summary>
    private int[][] SplitLines(int[] ids)
    {
        var lines = new List<int[]>();
        var line = new List<int>();
        foreach (int id in ids.Append(separatorId))
        {
            if (id != separatorId)
            {
                line.Add(id);
                continue;
            }
            if (line.Count > 0) lines.Add([.. line]);
            line.Clear();
        }
        return [.. lines];
    }

    private int[] Joined(int[][] lines) => lines.SelectMany((line, i) => i == 0 ? line : line.Prepend(separatorId)).ToArray();

    private PaddedSequences Source(IReadOnlyList<int[][]> poems) =>
        PaddedSequences.FromSequences(poems.Select(p => (IReadOnlyList<int>)Joined(p).Reverse().ToArray()).ToArray(), model.PaddingId);

    /// <summary>The decoder reads &lt;bos&gt; and the joined poem, and must write the joined poem and &lt;eos&gt;.</summary>
    private (Tensor Logits, int[] Targets, Tensor Mask) TeacherForced(IReadOnlyList<int[][]> poems, float dropout)
    {
        var joined = poems.Select(Joined).ToArray();
        IReadOnlyList<IReadOnlyList<int>> inputs = joined.Select(j => (IReadOnlyList<int>)[model.BeginId, .. j]).ToArray();
        if (dropout > 0f) inputs = WordDropout.Apply(inputs, dropout, model.PaddingId, random!);
        var input = PaddedSequences.FromSequences(inputs, model.PaddingId);
        var targets = PaddedSequences.FromSequences(joined.Select(j => (IReadOnlyList<int>)[.. j, model.EndId]).ToArray(), model.PaddingId).Ids;
        var logits = model.Forward(Source(poems), input);
        return (logits, targets, SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst));
    }
}
