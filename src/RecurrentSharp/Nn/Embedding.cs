using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// A lookup table of vectors, one per token id (weight shape (count, dimension), N(0, 1) at start as in
/// PyTorch). The row of <see cref="PaddingIndex"/>, if set, starts at zero and never receives a gradient.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    public Embedding(int count, int dimension, int? paddingIndex = null, RandomGenerator? random = null)
    {
        if (count <= 0 || dimension <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"Embedding({count}, {dimension}): sizes must be positive.");
        if (paddingIndex is { } pi && (pi < 0 || pi >= count)) throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"padding index {pi} is outside 0..{count - 1}");
        Count = count;
        Dimension = dimension;
        PaddingIndex = paddingIndex;
        Weight = RegisterParameter("weight", Tensor.RandomNormal(random ?? RandomGenerator.Default, 0f, 1f, count, dimension));
        if (paddingIndex is { } p) Weight.Data.Slice(p * dimension, dimension).Clear();
    }

    /// <summary>The number of rows (vocabulary size).</summary>
    public int Count { get; }

    /// <summary>The vector width.</summary>
    public int Dimension { get; }

    /// <summary>The row reserved for padding, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>The table (count, dimension).</summary>
    public Tensor Weight { get; }

    /// <summary>Looks up <paramref name="ids"/> laid out as <paramref name="shape"/>; the result is shape + (dimension).</summary>
    public Tensor Forward(ReadOnlySpan<int> ids, params int[] shape)
    {
        var result = Tensor.GatherRows(Weight, ids, shape);
        if (PaddingIndex is null || !result.RequiresGrad) return result;
        // Block the gradient into the padding row by masking the looked-up rows that hit it.
        var mask = new float[ids.Length];
        bool any = false;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] == PaddingIndex) { mask[i] = 1f; any = true; }
        return any ? result.MaskedFill(Tensor.Wrap(mask, [.. result.Shape[..^1], 1]), 0f) : result;
    }
}
