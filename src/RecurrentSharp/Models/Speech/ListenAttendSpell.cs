using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>The settings of a <see cref="ListenAttendSpell"/> model, stored with a saved model.</summary>
/// <param name="InputSize">Features per frame (e.g. 40 log-mel bands).</param>
/// <param name="Vocabulary">Output tokens including padding (0), begin (<paramref name="BeginId"/>) and end (<paramref name="EndId"/>).</param>
/// <param name="HiddenSize">Hidden size of each direction of the listener.</param>
/// <param name="Layers">Listener BiLSTM layers.</param>
/// <param name="Pyramidal">The listener's top layer reads pairs of frames (half the frame rate).</param>
/// <param name="Dropout">Dropout in the listener and before the output layer.</param>
/// <param name="EmbeddingSize">Width of the previous character's embedding.</param>
/// <param name="SpellerSize">Hidden size of the speller LSTM.</param>
/// <param name="BeginId">The token the speller reads first.</param>
/// <param name="EndId">The token that ends a spelling.</param>
public sealed record ListenAttendSpellConfig(int InputSize, int Vocabulary, int HiddenSize = 128, int Layers = 2, bool Pyramidal = true, float Dropout = 0.2f,
    int EmbeddingSize = 32, int SpellerSize = 128, int BeginId = 1, int EndId = 2);

/// <summary>
/// Listen, Attend and Spell (Chan et al. 2016): a <see cref="SpeechListener"/> (BiLSTM with a pyramidal top layer)
/// encodes the frames into h_1..h_S; an LSTM speller emits one character at a time, attending over them
/// (Bahdanau's additive score, padded frames masked):
/// <code>
/// c_t = Attend(s_{t-1}, h_1..h_S)          (s_0 = 0: the first look is by content alone)
/// s_t = LSTM([emb(y_{t-1}); c_t], s_{t-1})  (y_0 = begin)
/// P(y_t | y_&lt;t, x) = softmax(W [s_t; c_t] + b)
/// </code>
/// Training is teacher-forced (<see cref="Forward"/> returns the logits of every step); <see cref="GreedyDecode"/>
/// spells until the end token and also returns where each step looked.
/// </summary>
public sealed class ListenAttendSpell : Module
{
    private readonly SpeechListener listener;
    private readonly Embedding embedding;
    private readonly RecurrentLayer speller;
    private readonly Attention attention;
    private readonly Dropout dropout;
    private readonly Linear projection;

    /// <summary>Builds the model.</summary>
    public ListenAttendSpell(ListenAttendSpellConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        if (config.BeginId <= 0 || config.EndId <= 0 || config.BeginId >= config.Vocabulary || config.EndId >= config.Vocabulary || config.BeginId == config.EndId)
            throw new ArgumentOutOfRangeException(nameof(config), $"begin {config.BeginId} and end {config.EndId} must be distinct tokens in 1..{config.Vocabulary - 1} (0 pads)");
        Config = config;
        listener = RegisterModule("listener", new SpeechListener(config.InputSize, config.HiddenSize, config.Layers, config.Pyramidal, config.Dropout, random));
        int keys = listener.OutputSize;
        embedding = RegisterModule("embedding", new Embedding(config.Vocabulary, config.EmbeddingSize, paddingIndex: 0, random));
        speller = RegisterModule("speller", RecurrentLayer.Create(CellSpec.Parse("lstm"), config.EmbeddingSize + keys, config.SpellerSize, 1,
            batchFirst: true, random: random));
        attention = RegisterModule("attention", new Attention(AttentionScore.Additive, config.SpellerSize, keys, random: random));
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        projection = RegisterModule("projection", new Linear(config.SpellerSize + keys, config.Vocabulary, random: random));
    }

    /// <summary>The settings.</summary>
    public ListenAttendSpellConfig Config { get; }

    /// <summary>The number of listener frames the speller attends over for an input of <paramref name="frames"/> frames.</summary>
    public int EncodedLength(int frames) => listener.OutputLength(frames);

    /// <summary>The speller's state between steps: (h, c), each (1, B, H_s).</summary>
    private readonly record struct SpellerState(Tensor H, Tensor C);

    /// <summary>
    /// Teacher-forced logits (B, U, V) for padded features (B, T, F): step t reads <paramref name="decoderInput"/>[b, t]
    /// (begin, then the target shifted right) and predicts the next token.
    /// </summary>
    public Tensor Forward(Tensor features, int[] lengths, PaddedSequences decoderInput)
    {
        if (decoderInput.Batch != features.Size(0))
            throw new TensorShapeException("ListenAttendSpell", $"{decoderInput.Batch} decoder inputs for a batch of {features.Size(0)} utterances");
        var (memory, state) = Listen(features, lengths);
        var steps = new List<Tensor>(decoderInput.Steps);
        var previous = new int[decoderInput.Batch];
        for (int t = 0; t < decoderInput.Steps; t++)
        {
            for (int b = 0; b < previous.Length; b++) previous[b] = decoderInput[b, t];
            var (output, next, _) = Step(previous, state, memory);
            steps.Add(output);
            state = next;
        }
        return projection.Forward(dropout.Forward(Tensor.Stack(steps, 1)));    // one product over all steps
    }

    /// <summary>
    /// Greedy spelling of each utterance (without begin and end tokens), at most <paramref name="maxLength"/> tokens, and the
    /// attention weights of every step it took: Weights[b][i][s] for listener frame s (the last row chose the end token).
    /// </summary>
    public (int[][] Tokens, float[][][] Weights) GreedyDecode(Tensor features, int[] lengths, int maxLength)
    {
        using var noGrad = new NoGradScope();
        var (memory, state) = Listen(features, lengths);
        int batch = lengths.Length;
        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var weights = Enumerable.Range(0, batch).Select(_ => new List<float[]>()).ToArray();
        var done = new bool[batch];
        var previous = Enumerable.Repeat(Config.BeginId, batch).ToArray();
        for (int step = 0; step < maxLength && done.Contains(false); step++)
        {
            var (output, next, attended) = Step(previous, state, memory);
            state = next;
            previous = projection.Forward(output).ArgMaxRows();
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                weights[b].Add(attended.Select(0, b).ToArray()[..memory.Lengths[b]]);
                if (previous[b] == Config.EndId) done[b] = true;
                else tokens[b].Add(previous[b]);
            }
        }
        return (tokens.Select(t => t.ToArray()).ToArray(), weights.Select(w => w.ToArray()).ToArray());
    }

    /// <summary>Runs the listener: the attention memory over its frames and the speller's zero start state.</summary>
    private (AttentionMemory Memory, SpellerState State) Listen(Tensor features, int[] lengths)
    {
        var encoded = listener.Forward(features, lengths);                      // (B, S, K)
        var memory = attention.Memory(encoded, lengths.Select(listener.OutputLength).ToArray());
        int batch = lengths.Length;
        return (memory, new SpellerState(Tensor.Zeros(1, batch, Config.SpellerSize), Tensor.Zeros(1, batch, Config.SpellerSize)));
    }

    /// <summary>One speller step: what the output layer reads, [s_t; c_t] (B, H_s + K), the next state and the weights (B, S).</summary>
    private (Tensor Output, SpellerState State, Tensor Weights) Step(int[] previous, SpellerState state, AttentionMemory memory)
    {
        var embedded = embedding.Forward(previous, previous.Length, 1);         // (B, 1, E)
        var attended = attention.Forward(state.H.Select(0, 0).Unsqueeze(1), memory);   // c_t from s_{t-1}
        var run = speller.Forward(Tensor.Concat([embedded, attended.Context], 2), state.H, state.C);
        var output = Tensor.Concat([run.Output, attended.Context], 2).Squeeze(1);
        return (output, new SpellerState(run.Hidden, run.Cell!), attended.Weights.Squeeze(1));
    }
}
