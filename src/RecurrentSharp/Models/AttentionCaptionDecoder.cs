using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// "Show, attend and tell" (Xu et al. 2015): an LSTM captioning decoder that looks at a grid of P image regions
/// a_1 … a_P (F features each; ResNet-18's last block: 7·7 regions × 512) at every word, with soft additive
/// (Bahdanau) attention from <see cref="Recurrent.Attention"/>:
/// <code>
///   ā         = (1/P) Σ_p a_p                                  the mean region
///   h_0, c_0  = tanh(W_h ā + b_h), tanh(W_c ā + b_c)           the initial state from the image
///   e_tp      = vᵀ tanh(W_q h_{t-1} + W_k a_p)                 how well region p fits the state
///   α_t       = softmax_p(e_t),  z_t = Σ_p α_tp a_p            the weights and the context
///   h_t, c_t  = LSTM([E y_{t-1}; z_t], (h_{t-1}, c_{t-1}))     the context joins the input
///   o_t       = h_t + L_z z_t   (L_z only with contextToOutput; else o_t = h_t)
///   logits_t  = W_out o_t + b_out
/// </code>
/// W_k a_p is computed once per image (the attention memory). Teacher forcing runs the steps one by one, since
/// each step's attention reads the previous state. Dropout (when set) acts on the word embeddings and on o_t.
/// </summary>
public sealed class AttentionCaptionDecoder : ImageCaptioner
{
    private readonly Dropout? dropout;

    /// <summary>Creates the decoder; <paramref name="attentionSize"/> is the width of the additive score's hidden layer.</summary>
    public AttentionCaptionDecoder(int vocabulary, int embeddingSize, int hiddenSize, int featureSize, int attentionSize, bool contextToOutput = true,
        int paddingId = 0, RandomGenerator? random = null, float dropout = 0f)
    {
        random ??= RandomGenerator.Default;
        HiddenSize = hiddenSize;
        FeatureSize = featureSize;
        WordEmbedding = RegisterModule("embedding", new Embedding(vocabulary, embeddingSize, paddingId, random));
        InitialHidden = RegisterModule("init_hidden", new Linear(featureSize, hiddenSize, random: random));
        InitialCell = RegisterModule("init_cell", new Linear(featureSize, hiddenSize, random: random));
        Attention = RegisterModule("attention", new Attention(AttentionScore.Additive, hiddenSize, featureSize, attentionSize, random));
        Rnn = RegisterModule("rnn", RecurrentLayer.Create(new CellSpec(CellKind.Lstm), embeddingSize + featureSize, hiddenSize, batchFirst: true, random: random));
        if (contextToOutput) ContextOutput = RegisterModule("context_output", new Linear(featureSize, hiddenSize, bias: false, random: random));
        Projection = RegisterModule("projection", new Linear(hiddenSize, vocabulary, random: random));
        if (dropout > 0) this.dropout = RegisterModule("dropout", new Dropout(dropout, random));
    }

    /// <summary>The hidden size.</summary>
    public int HiddenSize { get; }

    /// <summary>The features of one region, F.</summary>
    public int FeatureSize { get; }

    /// <summary>Word vectors E.</summary>
    public Embedding WordEmbedding { get; }

    /// <summary>W_h, b_h: the mean region to h_0.</summary>
    public Linear InitialHidden { get; }

    /// <summary>W_c, b_c: the mean region to c_0.</summary>
    public Linear InitialCell { get; }

    /// <summary>The additive attention (W_q, W_k, v).</summary>
    public Attention Attention { get; }

    /// <summary>The LSTM over [E y_{t-1}; z_t].</summary>
    public RecurrentLayer Rnn { get; }

    /// <summary>L_z: the context's way into the output layer, or null.</summary>
    public Linear? ContextOutput { get; }

    /// <summary>W_out, b_out: o_t to vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>The decoder's state between steps: h and c (B, H).</summary>
    public sealed record State(Tensor Hidden, Tensor Cell);

    /// <summary>
    /// Teacher-forced pass over grids (B, P, F) and the caption input tokens: logits (B, T, V), zero past each caption's
    /// length, and the attention weights α (B, T, P) (row t: the weights with which word t + 1 was predicted).
    /// </summary>
    public (Tensor Logits, Tensor Weights) Forward(Tensor grids, PaddedSequences tokens)
    {
        CheckGrids(grids, tokens.Batch);
        var (state, memory) = Start(grids);
        var embedded = Drop(WordEmbedding.Forward(tokens.Ids, tokens.Batch, tokens.Steps));   // (B, T, E)
        var outputs = new List<Tensor>(tokens.Steps);
        var weights = new List<Tensor>(tokens.Steps);
        for (int t = 0; t < tokens.Steps; t++)
        {
            (var output, state, var alpha) = Advance(embedded.Select(1, t), state, memory);
            outputs.Add(output);
            weights.Add(alpha);
        }
        var mask = new float[tokens.Batch * tokens.Steps];
        for (int b = 0; b < tokens.Batch; b++)
            for (int t = 0; t < tokens.Lengths[b]; t++) mask[b * tokens.Steps + t] = 1f;
        var logits = Projection.Forward(Drop(Tensor.Stack(outputs, 1))) * Tensor.Wrap(mask, tokens.Batch, tokens.Steps, 1);
        return (logits, Tensor.Stack(weights, 1));
    }

    /// <inheritdoc/>
    public override Tensor Logits(Tensor features, PaddedSequences tokens) => Forward(features, tokens).Logits;

    private void CheckGrids(Tensor grids, int batch)
    {
        if (grids.Rank != 3 || grids.Size(2) != FeatureSize || grids.Size(0) != batch)
            throw new TensorShapeException("AttentionCaptionDecoder", $"grids {TensorShape.Format(grids.Shape)} must be ({batch}, regions, {FeatureSize})");
    }

    private Tensor Drop(Tensor x) => dropout is null ? x : dropout.Forward(x);

    /// <summary>h_0, c_0 from the mean region, and the attention memory (W_k a_p for every region, once).</summary>
    private (State State, AttentionMemory Memory) Start(Tensor grids)
    {
        var mean = grids.Mean(1);
        var state = new State(InitialHidden.Forward(mean).Tanh(), InitialCell.Forward(mean).Tanh());
        return (state, Attention.Memory(grids, Enumerable.Repeat(grids.Size(1), grids.Size(0)).ToArray()));
    }

    /// <summary>One step from the word vectors x (B, E): o_t (B, H) (before dropout and the output layer), the next state and α_t (B, P).</summary>
    private (Tensor Output, State State, Tensor Weights) Advance(Tensor x, State state, AttentionMemory memory)
    {
        // α_t, z_t from h_{t-1}
        var attended = Attention.Forward(state.Hidden.Unsqueeze(1), memory);
        var context = attended.Context.Squeeze(1);
        // h_t, c_t = LSTM([x; z_t], (h_{t-1}, c_{t-1}))
        var run = Rnn.Forward(Tensor.Concat([x, context], 1).Unsqueeze(1), state.Hidden.Unsqueeze(0), state.Cell.Unsqueeze(0));
        var h = run.Output.Squeeze(1);
        var output = ContextOutput is null ? h : h + ContextOutput.Forward(context);
        return (output, new State(h, run.Cell!.Squeeze(0)), attended.Weights.Squeeze(1));
    }

    /// <inheritdoc/>
    public override List<int[]> Generate(Tensor features, int beginId, int endId, int maxLength)
    {
        using var noGrad = new NoGradScope();
        using var evaluating = Evaluating();
        CheckGrids(features, features.Size(0));
        return CaptionSearch.Greedy(Stepper(features), features.Size(0), beginId, endId, maxLength);
    }

    /// <inheritdoc/>
    public override int[] BeamSearch(Tensor features, int beginId, int endId, int maxLength, int width, double lengthPenalty = 1.0)
    {
        using var noGrad = new NoGradScope();
        using var evaluating = Evaluating();
        CheckGrids(features, 1);
        return CaptionSearch.Beam(Stepper(features), beginId, endId, maxLength, width, lengthPenalty);
    }

    /// <summary>
    /// The attention weights of one image's (grid (1, P, F)) caption <paramref name="words"/>: row t (P weights) is where
    /// the decoder looked when it chose word t, the last row where it looked when it chose to end.
    /// </summary>
    public float[][] AttentionOf(Tensor grid, int[] words, int beginId)
    {
        using var noGrad = new NoGradScope();
        using var evaluating = Evaluating();
        CheckGrids(grid, 1);
        var weights = Forward(grid, PaddedSequences.FromSequences([[beginId, .. words]])).Weights;
        int steps = weights.Size(1), regions = weights.Size(2);
        var values = weights.ToArray();
        return Enumerable.Range(0, steps).Select(t => values.AsSpan(t * regions, regions).ToArray()).ToArray();
    }

    /// <summary>The decoder as a <see cref="CaptionStep"/> over <paramref name="grids"/>: the state and memory live in the closure.</summary>
    private CaptionStep Stepper(Tensor grids)
    {
        var (state, memory) = Start(grids);
        return (rows, tokens) =>
        {
            if (rows is not null)
            {
                state = new State(state.Hidden.IndexSelect(0, rows), state.Cell.IndexSelect(0, rows));
                memory = memory.Rows(rows);
            }
            (var output, state, _) = Advance(WordEmbedding.Forward(tokens, tokens.Length), state, memory);
            return Projection.Forward(output);
        };
    }
}
