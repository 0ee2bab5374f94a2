using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Poetry;

/// <summary>
/// The poem task's hierarchical model: characters → line vectors → poem vector, and back down (<see cref="HierarchicalAutoencoder"/>);
/// the training loss drops the word decoder's inputs with probability <c>wordDropout</c> (<see cref="WordDropout"/>), scores never do.
/// </summary>
internal sealed class HierarchicalPoemCoder(HierarchicalAutoencoder model, int maxLines, int maxLineLength, float wordDropout = 0f, RandomGenerator? random = null) : PoemCoder
{
    /// <inheritdoc/>
    public override Module Network => model;

    /// <inheritdoc/>
    public override int CodeSize => model.CodeSize;

    /// <inheritdoc/>
    public override Tensor Loss(IReadOnlyList<int[][]> poems)
    {
        var output = model.Forward(poems, wordDropout, random);
        return Losses.CrossEntropy(output.WordLogits, output.WordTargets, mask: output.WordMask)
            + Losses.CrossEntropy(output.StopLogits, output.StopTargets, mask: output.StopMask);
    }

    /// <inheritdoc/>
    public override (long Right, long Positions, double LossSum) Score(IReadOnlyList<int[][]> poems)
    {
        var output = model.Forward(poems);
        var (right, positions) = Count(output.WordLogits, output.WordTargets, output.WordMask);
        double loss = Losses.CrossEntropy(output.WordLogits, output.WordTargets, reduction: Reduction.Sum, mask: output.WordMask).Item();
        return (right, positions, loss);
    }

    /// <inheritdoc/>
    public override Tensor Code(IReadOnlyList<int[][]> poems) => model.Code(poems);

    /// <inheritdoc/>
    public override List<int[][]> DecodeFrom(Tensor codes) =>
        model.DecodeFrom(codes, maxLines, maxLineLength + 2).Select(lines => lines.ToArray()).ToList();
}
