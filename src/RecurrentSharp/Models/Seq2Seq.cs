using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>Where a <see cref="Seq2Seq"/> decoder looks at the encoder's outputs.</summary>
public enum Seq2SeqAttention
{
    /// <summary>No attention: the encoder's final state is all the decoder knows of the source.</summary>
    None,

    /// <summary>
    /// Bahdanau et al. 2015: before step t the previous top-layer decoder state s_{t-1} attends over the encoder
    /// outputs (additive score); the context c_t joins the decoder's input [y_{t-1}; c_t] and the output layer
    /// W_o [s_t; c_t].
    /// </summary>
    Bahdanau,

    /// <summary>
    /// Luong et al. 2015 (global attention): after step t the decoder output h_t attends (dot, general or concat
    /// score); the attentional state h̃_t = tanh(W_c [c_t; h_t]) feeds the output layer, and with input feeding
    /// also the next step's input [y_t; h̃_t].
    /// </summary>
    Luong,
}

/// <summary>
/// Encoder-decoder (Sutskever et al. 2014; Cho et al. 2014): an encoder RNN reads the source sequence;
/// its final state initializes a decoder RNN that predicts the target one token at a time. Training uses
/// teacher forcing (the decoder reads the true previous token); inference decodes greedily or with beam
/// search up to a maximum length. With the same vocabulary on both sides and target = source it is the
/// sequence autoencoder, whose encoder state is a fixed-size embedding of the sequence (<see cref="Embed"/>).
/// With <see cref="Seq2SeqAttention"/> the decoder also reads a weighted average of the encoder's outputs at
/// every step (<see cref="Recurrent.Attention"/>; padded source positions get weight 0).
/// </summary>
/// <remarks>
/// With a bidirectional encoder the decoder's hidden size is 2H and each layer's initial state is the
/// concatenation [forward | backward] of that encoder layer's final states.
/// </remarks>
public sealed class Seq2Seq : Module
{
    private readonly RandomGenerator random;

    /// <summary>Creates the model. The decoder has as many layers as the encoder.</summary>
    public Seq2Seq(int sourceVocabulary, int targetVocabulary, int embeddingSize, int hiddenSize, CellSpec? cell = null, int numLayers = 1,
        bool bidirectionalEncoder = false, float dropout = 0f, int beginId = 1, int endId = 2, int paddingId = 0, RandomGenerator? random = null,
        Seq2SeqAttention attention = Seq2SeqAttention.None, AttentionScore luongScore = AttentionScore.General, bool inputFeeding = false)
    {
        if (inputFeeding && attention != Seq2SeqAttention.Luong)
            throw new ArgumentException("Seq2Seq: input feeding belongs to Luong attention.", nameof(inputFeeding));
        AttentionKind = attention;
        InputFeeding = inputFeeding;
        this.random = random ?? RandomGenerator.Default;
        Cell = cell ?? new CellSpec(CellKind.Lstm);
        BeginId = beginId;
        EndId = endId;
        PaddingId = paddingId;
        SourceEmbedding = RegisterModule("source_embedding", new Embedding(sourceVocabulary, embeddingSize, paddingId, this.random));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(targetVocabulary, embeddingSize, paddingId, this.random));
        Encoder = RegisterModule("encoder", RecurrentLayer.Create(Cell, embeddingSize, hiddenSize, numLayers, batchFirst: true,
            dropout: dropout, bidirectional: bidirectionalEncoder, random: this.random));
        // The decoder's width Hd is the encoder's D·H; the encoder outputs (the keys) are D·H wide too.
        int decoderHidden = Encoder.Directions * hiddenSize, keys = decoderHidden;
        int decoderInput = embeddingSize + attention switch
        {
            Seq2SeqAttention.Bahdanau => keys,          // [y_{t-1}; c_t]
            Seq2SeqAttention.Luong when inputFeeding => decoderHidden,   // [y_{t-1}; h̃_{t-1}]
            _ => 0,
        };
        Decoder = RegisterModule("decoder", RecurrentLayer.Create(Cell, decoderInput, decoderHidden, numLayers,
            batchFirst: true, dropout: dropout, random: this.random));
        Projection = RegisterModule("projection", new Linear(attention == Seq2SeqAttention.Bahdanau ? decoderHidden + keys : decoderHidden,
            targetVocabulary, random: this.random));
        if (attention == Seq2SeqAttention.None) return;
        Attention = RegisterModule("attention", new Attention(attention == Seq2SeqAttention.Bahdanau ? AttentionScore.Additive : luongScore,
            decoderHidden, keys, random: this.random));
        if (attention == Seq2SeqAttention.Luong)
            Combine = RegisterModule("attention_combine", new Linear(keys + decoderHidden, decoderHidden, bias: false, random: this.random));
    }

    /// <summary>A sequence autoencoder: source and target share one vocabulary and the model learns to reproduce its input.</summary>
    public static Seq2Seq Autoencoder(int vocabulary, int embeddingSize, int hiddenSize, CellSpec? cell = null, int beginId = 1, int endId = 2,
        int paddingId = 0, RandomGenerator? random = null)
        => new(vocabulary, vocabulary, embeddingSize, hiddenSize, cell, beginId: beginId, endId: endId, paddingId: paddingId, random: random);

    /// <summary>The cell of encoder and decoder.</summary>
    public CellSpec Cell { get; }

    /// <summary>The id that starts every decoder input.</summary>
    public int BeginId { get; }

    /// <summary>The id that ends a target sequence.</summary>
    public int EndId { get; }

    /// <summary>The padding id (its embedding is zero and gets no gradient).</summary>
    public int PaddingId { get; }

    /// <summary>Source token vectors.</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target token vectors.</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The encoder RNN (batch-first).</summary>
    public RecurrentLayer Encoder { get; }

    /// <summary>The decoder RNN (batch-first).</summary>
    public RecurrentLayer Decoder { get; }

    /// <summary>Decoder state (with the context for Bahdanau, the attentional state for Luong) to target-vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>Which attention the decoder uses.</summary>
    public Seq2SeqAttention AttentionKind { get; }

    /// <summary>Luong input feeding: the previous attentional state joins the decoder's input.</summary>
    public bool InputFeeding { get; }

    /// <summary>The attention layer (queries: decoder states; keys: encoder outputs), or null without attention.</summary>
    public Attention? Attention { get; }

    /// <summary>Luong's W_c (Hd, K + Hd): h̃_t = tanh(W_c [c_t; h_t]); null otherwise.</summary>
    public Linear? Combine { get; }

    /// <summary>
    /// What the decoder carries from step to step: its states, and what the next step reads besides its token (B, Hd):
    /// Luong's h̃_{t-1} with input feeding, Bahdanau's query s_{t-1} (the top layer's state, kept so that no step has
    /// to cut it out of H again), else null.
    /// </summary>
    private sealed record DecoderState(Tensor H, Tensor? C, Tensor? Feed)
    {
        /// <summary>The state of the given batch rows (beam search keeps, drops and repeats hypotheses).</summary>
        public DecoderState Rows(int[] rows) => new(H.IndexSelect(1, rows), C?.IndexSelect(1, rows), Feed?.IndexSelect(0, rows));
    }

    /// <summary>Runs the encoder and returns the decoder's initial states (h, c), each (L, B, D·H).</summary>
    public (Tensor H, Tensor? C) Encode(PaddedSequences source)
    {
        var embedded = SourceEmbedding.Forward(source.Ids, source.Batch, source.Steps);
        var result = Encoder.Forward(embedded, null, null, source.Lengths);
        return (MergeDirections(result.Hidden, source.Batch), result.Cell is null ? null : MergeDirections(result.Cell, source.Batch));
    }

    /// <summary>Runs the encoder: the decoder's first state and, with attention, the encoder outputs prepared as keys.</summary>
    private (DecoderState State, AttentionMemory? Memory) Start(PaddedSequences source)
    {
        var embedded = SourceEmbedding.Forward(source.Ids, source.Batch, source.Steps);
        var result = Encoder.Forward(embedded, null, null, source.Lengths);
        var h = MergeDirections(result.Hidden, source.Batch);
        var c = result.Cell is null ? null : MergeDirections(result.Cell, source.Batch);
        var memory = Attention?.Memory(result.Output, source.Lengths);
        var feed = InputFeeding ? Tensor.Zeros(source.Batch, Decoder.HiddenSize)
            : AttentionKind == Seq2SeqAttention.Bahdanau ? h.Select(0, Decoder.NumLayers - 1) : null;
        return (new DecoderState(h, c, feed), memory);
    }

    /// <summary>The sequence embedding: the encoder's final hidden state of the top layer, (B, D·H).</summary>
    public Tensor Embed(PaddedSequences source) => Encode(source).H.Select(0, Encoder.NumLayers - 1);

    /// <summary>(L·D, B, H) to (L, B, D·H): each layer's directions side by side.</summary>
    private Tensor MergeDirections(Tensor state, int batch)
    {
        int layers = Encoder.NumLayers, directions = Encoder.Directions, hidden = Encoder.HiddenSize;
        if (directions == 1) return state;
        return state.Reshape(layers, directions, batch, hidden).Permute(0, 2, 1, 3).Reshape(layers, batch, directions * hidden);
    }

    /// <summary>
    /// Teacher-forced training pass: the decoder reads <paramref name="decoderInput"/> (begin token, then the
    /// target shifted right) and returns logits (B, T, V) for the next tokens. With
    /// <paramref name="teacherForcing"/> below 1, each step after the first reads the model's own previous
    /// prediction instead of the true token with probability 1 - teacherForcing.
    /// </summary>
    public Tensor Forward(PaddedSequences source, PaddedSequences decoderInput, float teacherForcing = 1f)
    {
        if (source.Batch != decoderInput.Batch)
            throw new ArgumentException($"Seq2Seq: {source.Batch} sources but {decoderInput.Batch} targets.");
        var (state, memory) = Start(source);
        if (teacherForcing >= 1f && (AttentionKind == Seq2SeqAttention.None || AttentionKind == Seq2SeqAttention.Luong && !InputFeeding))
        {
            // Every step's input is known and no step's input depends on attention: one fused pass over all steps.
            var embedded = TargetEmbedding.Forward(decoderInput.Ids, decoderInput.Batch, decoderInput.Steps);
            var output = Decoder.Forward(embedded, state.H, state.C, decoderInput.Lengths).Output;
            return Projection.Forward(memory is null ? output : Attentional(output, memory).State);
        }

        // Step by step. Fully teacher-forced, no step needs the previous logits, so the output layer runs once
        // over all steps at the end (one large product instead of T small ones).
        bool forced = teacherForcing >= 1f;
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        var tokens = Enumerable.Range(0, decoderInput.Batch).Select(b => decoderInput[b, 0]).ToArray();
        for (int t = 0; t < decoderInput.Steps; t++)
        {
            if (t > 0)
            {
                var predicted = forced ? null : logits[^1].ArgMaxRows();
                for (int b = 0; b < tokens.Length; b++)
                    tokens[b] = forced || random.NextFloat() < teacherForcing ? decoderInput[b, t] : predicted![b];
            }
            var step = Step(tokens, state, memory);
            state = step.State;
            if (forced) features.Add(step.Features);
            else logits.Add(Projection.Forward(step.Features));
        }
        return forced ? Projection.Forward(Tensor.Stack(features, 1)) : Tensor.Stack(logits, 1);
    }

    /// <summary>Luong: the decoder outputs h (B, T, Hd) attend; h̃ = tanh(W_c [c; h]) (B, T, Hd).</summary>
    private (Tensor State, Tensor Weights) Attentional(Tensor decoderOutput, AttentionMemory memory)
    {
        var attended = Attention!.Forward(decoderOutput, memory);
        return (Combine!.Forward(Tensor.Concat([attended.Context, decoderOutput], 2)).Tanh(), attended.Weights);
    }

    /// <summary>Greedy decoding: at every step the most likely token, until the end token or <paramref name="maxLength"/> tokens.</summary>
    public List<int[]> GreedyDecode(PaddedSequences source, int maxLength) => Greedy(source, maxLength, null);

    /// <summary>
    /// Greedy decoding of one source with the attention weights of every output step: Weights[i][s] is the
    /// weight of source position s when output token i (or the end token, the last row) was chosen.
    /// </summary>
    public (int[] Tokens, float[][] Weights) GreedyDecodeWithAttention(IReadOnlyList<int> source, int maxLength)
    {
        if (Attention is null) throw new InvalidOperationException("Seq2Seq: this model has no attention (it was built with Seq2SeqAttention.None).");
        var weights = new List<float[]>();
        var tokens = Greedy(PaddedSequences.FromSequences([source]), maxLength, weights).Single();
        return (tokens, weights.ToArray());
    }

    /// <summary>
    /// The decoder's whole initial state as one vector per source, (B, N): every layer's h, then for an LSTM every
    /// layer's c, each Hd wide (N = L·Hd, or 2·L·Hd for LSTM). <see cref="DecodeFrom"/> decodes from such a vector.
    /// </summary>
    public Tensor Code(PaddedSequences source)
    {
        var (h, c) = Encode(source);
        int layers = Decoder.NumLayers, width = Decoder.HiddenSize, batch = source.Batch;
        var code = h.Permute(1, 0, 2).Reshape(batch, layers * width);
        return c is null ? code : Tensor.Concat([code, c.Permute(1, 0, 2).Reshape(batch, layers * width)], 1);
    }

    /// <summary>
    /// Greedy decoding from given vectors (B, N) laid out as <see cref="Code"/> returns them, with no source at all
    /// (one-to-many): e.g. the code of a sentence, a mix of two codes, or any point of the code space. Only for a
    /// model without attention, whose decoder needs nothing from the encoder but its state.
    /// </summary>
    public List<int[]> DecodeFrom(Tensor codes, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (Attention is not null)
            throw new InvalidOperationException("Seq2Seq: a decoder with attention reads the encoder's outputs, so it cannot decode from a vector alone.");
        int layers = Decoder.NumLayers, width = Decoder.HiddenSize, parts = Cell.HasCellState ? 2 : 1;
        if (codes.Rank != 2 || codes.Size(1) != parts * layers * width)
            throw new TensorShapeException("Seq2Seq.DecodeFrom", $"codes {TensorShape.Format(codes.Shape)} are not (batch, {parts * layers * width}) = (batch, {(parts == 2 ? "2 x " : "")}{layers} layers x {width})");
        using var noGrad = new NoGradScope();
        int batch = codes.Size(0);
        Tensor Part(int i) => codes.Slice(1, i * layers * width, layers * width).Reshape(batch, layers, width).Permute(1, 0, 2);
        return GreedyFrom(new DecoderState(Part(0), parts == 2 ? Part(1) : null, null), null, batch, maxLength, null);
    }

    private List<int[]> Greedy(PaddedSequences source, int maxLength, List<float[]>? weights)
    {
        using var noGrad = new NoGradScope();
        var (state, memory) = Start(source);
        return GreedyFrom(state, memory, source.Batch, maxLength, weights);
    }

    private List<int[]> GreedyFrom(DecoderState state, AttentionMemory? memory, int batch, int maxLength, List<float[]>? weights)
    {
        var tokens = Enumerable.Repeat(BeginId, batch).ToArray();
        var results = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToList();
        var done = new bool[batch];
        for (int step = 0; step < maxLength && done.Contains(false); step++)
        {
            var next = Step(tokens, state, memory);
            state = next.State;
            tokens = Projection.Forward(next.Features).ArgMaxRows();
            weights?.Add(next.Weights!.Select(0, 0).ToArray());
            for (int b = 0; b < tokens.Length; b++)
            {
                if (done[b]) continue;
                if (tokens[b] == EndId) done[b] = true;
                else results[b].Add(tokens[b]);
            }
        }
        return results.Select(r => r.ToArray()).ToList();
    }

    /// <summary>
    /// Beam search: keeps the <paramref name="beamWidth"/> most likely partial outputs of each source; a
    /// hypothesis ends at the end token or at <paramref name="maxLength"/> tokens. Finished hypotheses are
    /// ranked by log-probability / length^<paramref name="lengthPenalty"/> (0: no normalization).
    /// </summary>
    public List<int[]> BeamSearch(PaddedSequences source, int beamWidth, int maxLength, float lengthPenalty = 1f)
    {
        var results = new List<int[]>();
        for (int b = 0; b < source.Batch; b++)
            results.Add(BeamSearchHypotheses(source.Sequence(b), beamWidth, maxLength, lengthPenalty)[0].Tokens);
        return results;
    }

    /// <summary>
    /// Beam search of one source, every finished hypothesis best first (the first is <see cref="BeamSearch"/>'s answer).
    /// The search stops when <paramref name="beamWidth"/> hypotheses have ended, when none is live, or at
    /// <paramref name="maxLength"/> tokens, where the live ones finish without the end token (as greedy decoding
    /// stops there). A hypothesis's log P(y | x) is what teacher forcing on y gives, the end token's included when it ended:
    /// <code>
    /// log P(y | x) = Σ_t log P(y_t | y_&lt;t, x) [+ log P(end | y, x)],   score = log P(y | x) / max(1, |y|)^lengthPenalty
    /// </code>
    /// </summary>
    public List<Seq2SeqHypothesis> BeamSearchHypotheses(IReadOnlyList<int> source, int beamWidth, int maxLength, float lengthPenalty = 1f)
    {
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, "beamWidth must be at least 1.");
        using var noGrad = new NoGradScope();
        var (state, memory) = Start(PaddedSequences.FromSequences([source]));
        var beams = new List<(List<int> Tokens, double Score)> { ([], 0.0) };
        var finished = new List<(List<int> Tokens, double LogP, bool Ended)>();
        for (int length = 0; length < maxLength && beams.Count > 0; length++)
        {
            int n = beams.Count;
            var last = beams.Select(beam => beam.Tokens.Count == 0 ? BeginId : beam.Tokens[^1]).ToArray();
            // Every hypothesis attends over the same (single) source.
            var decoded = Step(last, state, memory?.Rows(new int[n]));
            var logProbs = Projection.Forward(decoded.Features).LogSoftmax(-1);
            int vocab = logProbs.Size(-1);
            var candidates = new List<(int Beam, int Token, double Score)>();
            for (int i = 0; i < n; i++)
            {
                var row = logProbs.Data.Slice(i * vocab, vocab);
                foreach (int token in TopK(row, beamWidth))
                    candidates.Add((i, token, beams[i].Score + row[token]));
            }
            var next = new List<(List<int> Tokens, double Score)>();
            var keep = new List<int>();
            foreach (var (beam, token, score) in candidates.OrderByDescending(x => x.Score))
            {
                if (next.Count == beamWidth) break;
                if (token == EndId) finished.Add((beams[beam].Tokens, score, true));
                else
                {
                    next.Add(([.. beams[beam].Tokens, token], score));
                    keep.Add(beam);
                }
            }
            beams = next;
            // Enough hypotheses ended: the live ones never did, and their log P lacks the end token's, so they are
            // dropped (ranked with the finished ones they would win on a score that was never paid in full).
            if (finished.Count >= beamWidth) { beams = []; break; }
            if (keep.Count == 0) break;
            state = decoded.State.Rows(keep.ToArray());
        }
        // Only a search that ran to maxLength has live hypotheses left: they finish there without the end token.
        finished.AddRange(beams.Select(beam => (beam.Tokens, beam.Score, false)));
        return finished.Select(f => new Seq2SeqHypothesis(f.Tokens.ToArray(), f.LogP, f.LogP / Math.Pow(Math.Max(1, f.Tokens.Count), lengthPenalty), f.Ended))
            .OrderByDescending(h => h.Score).ToList();
    }

    private static IEnumerable<int> TopK(ReadOnlySpan<float> values, int k)
    {
        var best = new List<int>();
        for (int i = 0; i < values.Length; i++)
        {
            int at = best.Count;
            while (at > 0 && values[best[at - 1]] < values[i]) at--;
            if (at < k)
            {
                best.Insert(at, i);
                if (best.Count > k) best.RemoveAt(k);
            }
        }
        return best;
    }

    /// <summary>
    /// One decoder step for a batch of previous tokens: what the output layer reads (B, F) — the logits are
    /// <see cref="Projection"/> of it —, the next state and, with attention, the weights (B, S) of this step.
    /// </summary>
    private (Tensor Features, DecoderState State, Tensor? Weights) Step(int[] previous, DecoderState state, AttentionMemory? memory)
    {
        var embedded = TargetEmbedding.Forward(previous, previous.Length, 1);   // (B, 1, E)
        switch (AttentionKind)
        {
            case Seq2SeqAttention.Bahdanau:
            {
                // c_t from s_{t-1} (the top layer's state); s_t = RNN([y_{t-1}; c_t], s_{t-1}); features [s_t; c_t] (logits W_o [s_t; c_t] + b)
                var attended = Attention!.Forward(state.Feed!.Unsqueeze(1), memory!);
                var run = Decoder.Forward(Tensor.Concat([embedded, attended.Context], 2), state.H, state.C);
                var features = Tensor.Concat([run.Output, attended.Context], 2).Squeeze(1);
                return (features, new DecoderState(run.Hidden, run.Cell, run.Output.Squeeze(1)), attended.Weights.Squeeze(1));
            }
            case Seq2SeqAttention.Luong:
            {
                // h_t = RNN([y_{t-1}; h̃_{t-1}] or y_{t-1}, h_{t-1}); c_t from h_t; features h̃_t = tanh(W_c [c_t; h_t]) (logits W_o h̃_t + b)
                var input = InputFeeding ? Tensor.Concat([embedded, state.Feed!.Unsqueeze(1)], 2) : embedded;
                var run = Decoder.Forward(input, state.H, state.C);
                var (attentional, weights) = Attentional(run.Output, memory!);
                var h = attentional.Squeeze(1);
                return (h, new DecoderState(run.Hidden, run.Cell, InputFeeding ? h : null), weights.Squeeze(1));
            }
            default:
            {
                var run = Decoder.Forward(embedded, state.H, state.C);
                return (run.Output.Squeeze(1), new DecoderState(run.Hidden, run.Cell, null), null);
            }
        }
    }
}
