using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>
/// An image-captioning decoder (Karpathy and Fei-Fei 2015, Vinyals et al. 2015): a recurrent network over word
/// embeddings whose first step also receives the image's feature vector X (from a CNN) through its own weight
/// matrix V. With the Elman cell:
/// <code>
///   s_1 = tanh(U x_1 + W s_0 + V X + b)        (b = b_ih + b_hh)
///   s_t = tanh(U x_t + W s_{t-1} + b)          t > 1, without the V X term
///   y_t = softmax(W_out s_t + b_out)
/// </code>
/// With the LSTM cell, V X joins the first step's four gate pre-activations the same way
/// (i, f, g, o = split(U x_1 + W h_0 + V X + b); c_1 = f c_0 + i g; h_1 = o tanh(c_1)), V being (4H, F).
/// U and W are the <c>rnn.weight_ih_l0</c> and <c>rnn.weight_hh_l0</c> of a fused layer; the first step is written
/// with autograd operations and the rest runs on the fused path from s_1. Dropout (when set) acts on the word
/// embeddings and on the states before the output projection.
/// </summary>
public sealed class CaptionDecoder : ImageCaptioner
{
    private readonly Dropout? dropout;

    /// <summary>Creates the decoder (Elman cell unless <paramref name="cell"/> says otherwise; LSTM and Elman are supported).</summary>
    public CaptionDecoder(int vocabulary, int embeddingSize, int hiddenSize, int featureSize, int paddingId = 0, RandomGenerator? random = null,
        CellSpec? cell = null, float dropout = 0f)
    {
        random ??= RandomGenerator.Default;
        Cell = cell ?? CellSpec.Parse("rnn");
        if (Cell.Kind is not (CellKind.Rnn or CellKind.Lstm) || Cell.Peephole || Cell.CoupledGates || Cell.Activation != Nonlinearity.Tanh)
            throw new ArgumentException($"CaptionDecoder runs the tanh Elman or the plain LSTM cell, not {Cell}.", nameof(cell));
        HiddenSize = hiddenSize;
        FeatureSize = featureSize;
        WordEmbedding = RegisterModule("embedding", new Embedding(vocabulary, embeddingSize, paddingId, random));
        Rnn = RegisterModule("rnn", RecurrentLayer.Create(Cell, embeddingSize, hiddenSize, batchFirst: true, random: random));
        float k = 1f / MathF.Sqrt(hiddenSize);
        ImageWeight = RegisterParameter("weight_image", Tensor.RandomUniform(random, -k, k, Gates * hiddenSize, featureSize));
        Projection = RegisterModule("projection", new Linear(hiddenSize, vocabulary, random: random));
        if (dropout > 0) this.dropout = RegisterModule("dropout", new Dropout(dropout, random));
    }

    /// <summary>The recurrent cell (Elman or LSTM).</summary>
    public CellSpec Cell { get; }

    private bool IsLstm => Cell.Kind == CellKind.Lstm;

    private int Gates => IsLstm ? 4 : 1;

    /// <summary>The hidden size.</summary>
    public int HiddenSize { get; }

    /// <summary>The image feature size.</summary>
    public int FeatureSize { get; }

    /// <summary>Word vectors.</summary>
    public Embedding WordEmbedding { get; }

    /// <summary>The recurrence (U = weight_ih_l0, W = weight_hh_l0).</summary>
    public RecurrentLayer Rnn { get; }

    /// <summary>V: (gates · hidden, feature), the image's way into the first step.</summary>
    public Tensor ImageWeight { get; }

    /// <summary>Hidden state to vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>The decoder's state between steps: h (B, H) and, for the LSTM, c (B, H).</summary>
    public sealed record State(Tensor Hidden, Tensor? Cell);

    /// <summary>
    /// Teacher-forced pass: <paramref name="features"/> (B, F) and the caption input tokens (begin token then the
    /// caption shifted right). Returns logits (B, T, V); steps past a caption's length are zero.
    /// </summary>
    public Tensor Forward(Tensor features, PaddedSequences tokens, Tensor? s0 = null)
    {
        if (features.Rank != 2 || features.Size(1) != FeatureSize || features.Size(0) != tokens.Batch)
            throw new TensorShapeException("CaptionDecoder", $"features {TensorShape.Format(features.Shape)} must be ({tokens.Batch}, {FeatureSize})");
        var embedded = Drop(WordEmbedding.Forward(tokens.Ids, tokens.Batch, tokens.Steps));   // (B, T, E)
        var first = FirstStep(embedded.Select(1, 0), features, s0 is null ? null : new State(s0, null));
        var states = first.Hidden.Unsqueeze(1);
        if (tokens.Steps > 1)
        {
            // s_2 .. s_T on the fused path, starting from s_1; a one-token caption runs one dummy step.
            var rest = embedded.Slice(1, 1, tokens.Steps - 1);
            var lengths = tokens.Lengths.Select(l => Math.Max(1, l - 1)).ToArray();
            var later = Rnn.Forward(rest, first.Hidden.Unsqueeze(0), first.Cell?.Unsqueeze(0), lengths).Output;
            states = Tensor.Concat([states, later], 1);
        }
        var mask = new float[tokens.Batch * tokens.Steps];
        for (int b = 0; b < tokens.Batch; b++)
            for (int t = 0; t < tokens.Lengths[b]; t++) mask[b * tokens.Steps + t] = 1f;
        return Projection.Forward(Drop(states)) * Tensor.Wrap(mask, tokens.Batch, tokens.Steps, 1);
    }

    /// <inheritdoc/>
    public override Tensor Logits(Tensor features, PaddedSequences tokens) => Forward(features, tokens);

    private Tensor Drop(Tensor x) => dropout is null ? x : dropout.Forward(x);

    /// <summary>The first step: the pre-activations U x_1 + V X + b (+ W s_0), then the Elman or LSTM cell.</summary>
    private State FirstStep(Tensor x1, Tensor features, State? previous)
    {
        var weights = Rnn.WeightsOf(0, 0);
        var a = Tensor.MatMul(x1, weights.InputWeightTensor, transposeB: true)
              + Tensor.MatMul(features, ImageWeight, transposeB: true);
        if (previous is not null) a += Tensor.MatMul(previous.Hidden, weights.HiddenWeightTensor, transposeB: true);
        if (weights.InputBiasTensor is not null) a = a + weights.InputBiasTensor + weights.HiddenBiasTensor!;
        if (!IsLstm) return new State(a.Tanh(), null);
        int h = HiddenSize;
        var input = a.Slice(1, 0, h).Sigmoid();
        var cell = input * a.Slice(1, 2 * h, h).Tanh();
        if (previous?.Cell is { } c0) cell += a.Slice(1, h, h).Sigmoid() * c0;
        return new State(a.Slice(1, 3 * h, h).Sigmoid() * cell.Tanh(), cell);
    }

    /// <summary>
    /// One decoding step for a batch: <paramref name="tokens"/> (the previous words; the begin token at the first step,
    /// when <paramref name="state"/> is null and <paramref name="features"/> (B, F) enter). Returns the logits (B, V)
    /// and the new state.
    /// </summary>
    public (Tensor Logits, State State) Step(int[] tokens, State? state, Tensor? features)
    {
        var x = WordEmbedding.Forward(tokens, tokens.Length);
        State next;
        if (state is null)
        {
            if (features is null) throw new ArgumentNullException(nameof(features), "The first step needs the image features.");
            next = FirstStep(x, features, null);
        }
        else
        {
            var output = Rnn.Forward(x.Unsqueeze(1), state.Hidden.Unsqueeze(0), state.Cell?.Unsqueeze(0));
            next = new State(output.Output.Squeeze(1), output.Cell?.Squeeze(0));
        }
        return (Projection.Forward(next.Hidden), next);
    }

    /// <inheritdoc/>
    public override List<int[]> Generate(Tensor features, int beginId, int endId, int maxLength)
    {
        using var noGrad = new NoGradScope();
        using var evaluating = Evaluating();
        return CaptionSearch.Greedy(Stepper(features), features.Size(0), beginId, endId, maxLength);
    }

    /// <inheritdoc/>
    public override int[] BeamSearch(Tensor features, int beginId, int endId, int maxLength, int width, double lengthPenalty = 1.0)
    {
        using var noGrad = new NoGradScope();
        using var evaluating = Evaluating();
        return CaptionSearch.Beam(Stepper(features), beginId, endId, maxLength, width, lengthPenalty);
    }

    /// <summary>The decoder as a <see cref="CaptionStep"/> from the image <paramref name="features"/>: the state lives in the closure.</summary>
    private CaptionStep Stepper(Tensor features)
    {
        State? state = null;
        return (rows, tokens) =>
        {
            if (state is not null && rows is not null) state = new State(state.Hidden.IndexSelect(0, rows), state.Cell?.IndexSelect(0, rows));
            (var logits, state) = Step(tokens, state, state is null ? features : null);
            return logits;
        };
    }
}
