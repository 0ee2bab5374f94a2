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
/// <param name="CtcWeight">λ of joint CTC-attention training (0: none): a CTC head on the listener, whose blank is the padding token 0.</param>
public sealed record ListenAttendSpellConfig(int InputSize, int Vocabulary, int HiddenSize = 128, int Layers = 2, bool Pyramidal = true, float Dropout = 0.2f,
    int EmbeddingSize = 32, int SpellerSize = 128, int BeginId = 1, int EndId = 2, float CtcWeight = 0f);

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
/// spells until the end token and also returns where each step looked; <see cref="BeamDecode"/> searches wider.
/// With <see cref="ListenAttendSpellConfig.CtcWeight"/> λ &gt; 0 (joint CTC-attention, Kim, Hori and Watanabe 2017)
/// a linear CTC head reads the listener's frames too, log_softmax(W_ctc h_s + b) over the same tokens with the
/// padding token 0 as the blank, and training minimises λ·CTC + (1 − λ)·attention cross-entropy: CTC's monotonic
/// frame-to-letter alignment shapes the listener, which the attention loss alone leaves free. The head is only
/// used in training; decoding is the speller's.
/// </summary>
public sealed class ListenAttendSpell : Module
{
    private readonly SpeechListener listener;
    private readonly Embedding embedding;
    private readonly RecurrentLayer speller;
    private readonly Attention attention;
    private readonly Dropout dropout;
    private readonly Linear projection;
    private readonly Linear? ctcHead;

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
        if (!(config.CtcWeight is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(config), config.CtcWeight, "the CTC weight λ must be in [0, 1)");
        // made last, so that a model without it draws the same initial weights as before it came
        if (config.CtcWeight > 0f) ctcHead = RegisterModule("ctc", new Linear(keys, config.Vocabulary, random: random));
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
        var (_, memory, state) = Listen(features, lengths);
        return Spell(memory, state, decoderInput);
    }

    /// <summary>
    /// Teacher-forced logits (B, U, V) as <see cref="Forward"/>, and the CTC head's log-probabilities (T', B, V), time
    /// first as <see cref="Training.Losses.CtcLoss"/> reads them, over the <see cref="EncodedLength"/> frames of each utterance.
    /// </summary>
    public (Tensor Logits, Tensor CtcLogProbs) ForwardJoint(Tensor features, int[] lengths, PaddedSequences decoderInput)
    {
        if (ctcHead is null) throw new InvalidOperationException("this model has no CTC head (CtcWeight 0)");
        var (encoded, memory, state) = Listen(features, lengths);
        var ctc = ctcHead.Forward(dropout.Forward(encoded)).Transpose(0, 1).LogSoftmax(2);   // (T', B, V)
        return (Spell(memory, state, decoderInput), ctc);
    }

    /// <summary>The teacher-forced speller over the listener's memory.</summary>
    private Tensor Spell(AttentionMemory memory, SpellerState state, PaddedSequences decoderInput)
    {
        if (decoderInput.Batch != memory.Batch)
            throw new TensorShapeException("ListenAttendSpell", $"{decoderInput.Batch} decoder inputs for a batch of {memory.Batch} utterances");
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
        var (_, memory, state) = Listen(features, lengths);
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

    /// <summary>
    /// Beam search (<see cref="SpellingBeamSearch"/>, width <paramref name="width"/>, length normalisation α =
    /// <paramref name="lengthPenalty"/>) for each utterance: the spellings, best first, without begin and end tokens.
    /// Width 1 spells exactly as <see cref="GreedyDecode"/>.
    /// </summary>
    public List<SpelledHypothesis>[] BeamDecode(Tensor features, int[] lengths, int maxLength, int width, double lengthPenalty = 1.0)
    {
        using var noGrad = new NoGradScope();
        var (_, all, start) = Listen(features, lengths);
        var result = new List<SpelledHypothesis>[lengths.Length];
        for (int b = 0; b < lengths.Length; b++)
        {
            var state = new SpellerState(start.H.IndexSelect(1, [b]), start.C.IndexSelect(1, [b]));
            result[b] = SpellingBeamSearch.Search((parents, tokens) =>
            {
                state = new SpellerState(state.H.IndexSelect(1, parents), state.C.IndexSelect(1, parents));
                var memory = all.Rows(Enumerable.Repeat(b, parents.Length).ToArray());   // every hypothesis attends over utterance b
                var (output, next, _) = Step(tokens, state, memory);
                state = next;
                return projection.Forward(output).LogSoftmax(1).ToArray();
            }, Config.Vocabulary, Config.BeginId, Config.EndId, width, maxLength, lengthPenalty);
        }
        return result;
    }

    /// <summary>Runs the listener: its frames (B, S, K), the attention memory over them and the speller's zero start state.</summary>
    private (Tensor Encoded, AttentionMemory Memory, SpellerState State) Listen(Tensor features, int[] lengths)
    {
        var encoded = listener.Forward(features, lengths);                      // (B, S, K)
        var memory = attention.Memory(encoded, lengths.Select(listener.OutputLength).ToArray());
        int batch = lengths.Length;
        return (encoded, memory, new SpellerState(Tensor.Zeros(1, batch, Config.SpellerSize), Tensor.Zeros(1, batch, Config.SpellerSize)));
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
