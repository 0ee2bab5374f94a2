using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tasks.Common;

/// <summary>A classification dataset as the classifier sees it: labels, lengths, and how to run the model on a batch.</summary>
public interface IClassificationExamples
{
    /// <summary>The number of examples.</summary>
    int Count { get; }

    /// <summary>The class of example <paramref name="index"/>.</summary>
    int Label(int index);

    /// <summary>The sequence length of example <paramref name="index"/> (for bucketing).</summary>
    int Length(int index);

    /// <summary>Runs the model on the examples <paramref name="indices"/>: logits (B, C).</summary>
    Tensor Logits(SequenceClassifier model, int[] indices);
}

/// <summary>Token-id sequences (each at least one token) with labels.</summary>
public sealed class TokenExamples(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels) : IClassificationExamples
{
    /// <inheritdoc/>
    public int Count => sequences.Count;

    /// <inheritdoc/>
    public int Label(int index) => labels[index];

    /// <inheritdoc/>
    public int Length(int index) => sequences[index].Length;

    /// <inheritdoc/>
    public Tensor Logits(SequenceClassifier model, int[] indices) =>
        model.Forward(PaddedSequences.FromSequences(indices.Select(i => (IReadOnlyList<int>)sequences[i]).ToArray()));
}

/// <summary>Fixed-length vector sequences built on demand (images by rows, sensor windows) with labels.</summary>
/// <param name="count">The number of examples.</param>
/// <param name="steps">The sequence length of every example.</param>
/// <param name="labels">The classes.</param>
/// <param name="batch">Builds the (B, T, F) input for a list of example indices.</param>
public sealed class VectorExamples(int count, int steps, IReadOnlyList<int> labels, Func<int[], Tensor> batch) : IClassificationExamples
{
    /// <inheritdoc/>
    public int Count => count;

    /// <inheritdoc/>
    public int Label(int index) => labels[index];

    /// <inheritdoc/>
    public int Length(int index) => steps;

    /// <inheritdoc/>
    public Tensor Logits(SequenceClassifier model, int[] indices) => model.Forward(batch(indices), Enumerable.Repeat(steps, indices.Length).ToArray());
}
