using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Poetry;

/// <summary>
/// A poem autoencoder as the poem task sees it, whichever model is inside: a poem is its lines, a line its character
/// ids (no &lt;bos&gt;/&lt;eos&gt;). Teacher-forced scores count the same positions for both models: every character
/// and one line end per line (the flat model's '/' between lines and its final &lt;eos&gt;; the hierarchical model's
/// &lt;eos&gt; after each line).
/// </summary>
internal abstract class PoemCoder
{
    /// <summary>The network (for saving, loading and the trainer).</summary>
    public abstract Module Network { get; }

    /// <summary>The width of a poem's code vector.</summary>
    public abstract int CodeSize { get; }

    /// <summary>The training loss of a batch of poems (mean cross-entropy per position; the hierarchical model adds its stop loss).</summary>
    public abstract Tensor Loss(IReadOnlyList<int[][]> poems);

    /// <summary>Teacher-forced: positions whose most likely token is the true one, positions counted, and the summed cross-entropy.</summary>
    public abstract (long Right, long Positions, double LossSum) Score(IReadOnlyList<int[][]> poems);

    /// <summary>The code vectors (B, <see cref="CodeSize"/>) of poems.</summary>
    public abstract Tensor Code(IReadOnlyList<int[][]> poems);

    /// <summary>Greedy decoding from code vectors (B, <see cref="CodeSize"/>): each poem's lines.</summary>
    public abstract List<int[][]> DecodeFrom(Tensor codes);

    /// <summary>Greedy reconstruction: each poem encoded to its code and decoded back.</summary>
    public List<int[][]> Reconstruct(IReadOnlyList<int[][]> poems)
    {
        using var noGrad = new NoGradScope();
        return DecodeFrom(Code(poems));
    }

    /// <summary>Right and counted positions of teacher-forced argmax predictions, from logits (rows, V), targets and the 1/0 mask.</summary>
    protected static (long Right, long Positions) Count(Tensor logits, int[] targets, Tensor mask)
    {
        var predicted = logits.ArgMaxRows();
        var valid = mask.Data;
        long right = 0, positions = 0;
        for (int p = 0; p < targets.Length; p++)
        {
            if (valid[p] == 0) continue;
            positions++;
            if (predicted[p] == targets[p]) right++;
        }
        return (right, positions);
    }
}
