using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>How a classifier turns a sequence of states into one vector.</summary>
public enum Pooling
{
    /// <summary>The final state (both directions' final states when bidirectional).</summary>
    Last,

    /// <summary>The mean of the outputs over the valid steps.</summary>
    Mean,

    /// <summary>The element-wise maximum of the outputs over the valid steps.</summary>
    Max,
}

/// <summary>The settings of a <see cref="SequenceClassifier"/>, stored with a saved model so it can be rebuilt.</summary>
/// <param name="Classes">The number of classes.</param>
/// <param name="HiddenSize">The recurrent hidden size.</param>
/// <param name="Cell">The cell name (see <see cref="RecurrentEncoder.CellNames"/>).</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="Bidirectional">Read the sequence both ways.</param>
/// <param name="Dropout">Dropout between layers and before the output layer.</param>
/// <param name="Vocabulary">Token vocabulary size for token input (with <paramref name="EmbeddingSize"/>), or 0 for vector input.</param>
/// <param name="EmbeddingSize">Token vector size.</param>
/// <param name="InputSize">Vector input size (when <paramref name="Vocabulary"/> is 0).</param>
/// <param name="Pooling">How the sequence is summarized.</param>
/// <param name="EmbeddingDropout">Dropout on the token vectors (training only): a strong regularizer when the embedding is learned from little data.</param>
public sealed record SequenceClassifierConfig(int Classes, int HiddenSize, string Cell = "lstm", int Layers = 1, bool Bidirectional = false,
    float Dropout = 0f, int Vocabulary = 0, int EmbeddingSize = 0, int InputSize = 0, Pooling Pooling = Pooling.Last, float EmbeddingDropout = 0f);

/// <summary>
/// Many-to-one classification: tokens through an embedding (or vectors directly), a recurrent encoder, a
/// summary of the sequence (<see cref="Pooling"/>), dropout and a linear layer giving class logits.
/// </summary>
public sealed class SequenceClassifier : Module
{
    private readonly Dropout dropout;
    private readonly Dropout embeddingDropout;

    /// <summary>Builds the model from its settings.</summary>
    public SequenceClassifier(SequenceClassifierConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Config = config;
        int input = config.InputSize;
        if (config.Vocabulary > 0)
        {
            Embedding = RegisterModule("embedding", new Embedding(config.Vocabulary, config.EmbeddingSize, paddingIndex: 0, random: random));
            input = config.EmbeddingSize;
        }
        if (input <= 0) throw new ArgumentException("SequenceClassifier needs a vocabulary and embedding size, or an input size.");
        Encoder = RecurrentEncoder.Create(config.Cell, input, config.HiddenSize, config.Layers, config.Bidirectional, config.Dropout, random);
        if (Encoder is Module m) RegisterModule("encoder", m);
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        embeddingDropout = RegisterModule("embedding_dropout", new Dropout(config.EmbeddingDropout, random));
        Head = RegisterModule("head", new Linear(Encoder.OutputSize, config.Classes, random: random));
    }

    /// <summary>The settings.</summary>
    public SequenceClassifierConfig Config { get; }

    /// <summary>The token embedding, or null for vector input.</summary>
    public Embedding? Embedding { get; }

    /// <summary>The recurrent encoder (batch-first).</summary>
    public IRecurrentLayer Encoder { get; }

    /// <summary>The output layer.</summary>
    public Linear Head { get; }

    /// <summary>Class logits (B, C) for a batch of token sequences.</summary>
    public Tensor Forward(PaddedSequences tokens)
    {
        if (Embedding is null) throw new InvalidOperationException("This classifier reads vectors, not tokens.");
        return Forward(embeddingDropout.Forward(Embedding.Forward(tokens.Ids, tokens.Batch, tokens.Steps)), tokens.Lengths);
    }

    /// <summary>Class logits (B, C) for a batch of vector sequences (B, T, F) with their lengths.</summary>
    public Tensor Forward(Tensor values, int[] lengths)
    {
        var result = Encoder.Forward(values, null, null, lengths);
        var summary = Config.Pooling switch
        {
            Pooling.Last => RecurrentEncoder.LastState(Encoder, result, lengths),
            Pooling.Mean => MaskedMean(result.Output, lengths),
            _ => MaskedMax(result.Output, lengths),
        };
        return Head.Forward(dropout.Forward(summary));
    }

    private static Tensor Mask(int batch, int steps, int[] lengths, float on, float off)
    {
        var m = new float[batch * steps];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++) m[b * steps + t] = t < lengths[b] ? on : off;
        return Tensor.Wrap(m, batch, steps, 1);
    }

    /// <summary>Σ_t y_t / len over the valid steps (padded outputs are zero already).</summary>
    private static Tensor MaskedMean(Tensor output, int[] lengths)
    {
        int batch = output.Size(0);
        var inverse = Tensor.FromArray(lengths.Select(l => 1f / l).ToArray(), batch, 1);
        return (output * Mask(batch, output.Size(1), lengths, 1f, 0f)).Sum(1) * inverse;
    }

    /// <summary>max_t y_t over the valid steps (padding pushed to -1e9 first).</summary>
    private static Tensor MaskedMax(Tensor output, int[] lengths) =>
        (output + Mask(output.Size(0), output.Size(1), lengths, 0f, -1e9f)).Max(1);
}
