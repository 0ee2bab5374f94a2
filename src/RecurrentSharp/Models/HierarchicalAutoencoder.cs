using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>
/// The teacher-forced outputs of a <see cref="HierarchicalAutoencoder"/> for a batch of documents, with what they must predict.
/// </summary>
/// <param name="WordLogits">(N, T, V): for each of the N sentences (documents in order, sentences in order), the logits of
/// its tokens c_1 … c_n and then the end token, read from &lt;bos&gt; c_1 … c_n.</param>
/// <param name="WordTargets">The (N, T) targets in row-major order (padding positions hold the padding id).</param>
/// <param name="WordMask">(N, T): 1 where a target counts.</param>
/// <param name="StopLogits">(B, S, 2): after sentence s of document b, "another sentence follows" (0) or "the document ends" (1).</param>
/// <param name="StopTargets">The (B, S) stop targets.</param>
/// <param name="StopMask">(B, S): 1 for the document's real sentences.</param>
public sealed record HierarchicalOutput(Tensor WordLogits, int[] WordTargets, Tensor WordMask, Tensor StopLogits, int[] StopTargets, Tensor StopMask);

/// <summary>
/// The hierarchical autoencoder (Li, Luong and Jurafsky 2015, "A hierarchical neural autoencoder for paragraphs and
/// documents"), built from fused recurrent layers so its backward pass is their BPTT:
/// <list type="number">
/// <item>a word-level encoder reads each sentence's tokens; its final hidden state is the sentence vector;</item>
/// <item>a sentence-level encoder reads the sentence vectors; its final state (h, and c for an LSTM) is the document's code;</item>
/// <item>a sentence-level decoder starts from the code and unrolls one step per sentence (its input is a constant 1: it
/// needs nothing but its state), its outputs are the decoded sentence vectors v_s, and a stop head reads from each v_s
/// whether the document ends after sentence s;</item>
/// <item>a word-level decoder writes each sentence's tokens, conditioned on its v_s twice: its initial state is
/// tanh(W v_s + b), and v_s joins every step's input [y_{t-1}; v_s].</item>
/// </list>
/// A document is a list of sentences, a sentence a non-empty list of token ids (no &lt;bos&gt;/&lt;eos&gt;: the model adds them).
/// Encoder and decoder share the token embedding. Every layer is a single fused layer of the given cell and width H.
/// </summary>
public sealed class HierarchicalAutoencoder : Module
{
    /// <summary>Creates the model over a vocabulary that holds the padding, begin and end ids.</summary>
    public HierarchicalAutoencoder(int vocabulary, int embeddingSize, int hiddenSize, CellSpec? cell = null, int beginId = 1, int endId = 2,
        int paddingId = 0, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Cell = cell ?? new CellSpec(CellKind.Lstm);
        BeginId = beginId;
        EndId = endId;
        PaddingId = paddingId;
        HiddenSize = hiddenSize;
        TokenEmbedding = RegisterModule("token_embedding", new Embedding(vocabulary, embeddingSize, paddingId, random));
        WordEncoder = RegisterModule("word_encoder", RecurrentLayer.Create(Cell, embeddingSize, hiddenSize, batchFirst: true, random: random));
        SentenceEncoder = RegisterModule("sentence_encoder", RecurrentLayer.Create(Cell, hiddenSize, hiddenSize, batchFirst: true, random: random));
        SentenceDecoder = RegisterModule("sentence_decoder", RecurrentLayer.Create(Cell, 1, hiddenSize, batchFirst: true, random: random));
        Stop = RegisterModule("stop", new Linear(hiddenSize, 2, random: random));
        WordStart = RegisterModule("word_start", new Linear(hiddenSize, hiddenSize, random: random));
        WordDecoder = RegisterModule("word_decoder", RecurrentLayer.Create(Cell, embeddingSize + hiddenSize, hiddenSize, batchFirst: true, random: random));
        Projection = RegisterModule("projection", new Linear(hiddenSize, vocabulary, random: random));
    }

    /// <summary>The cell of all four recurrent layers.</summary>
    public CellSpec Cell { get; }

    /// <summary>The width H of every recurrent layer (and of the sentence vectors).</summary>
    public int HiddenSize { get; }

    /// <summary>The id that starts every sentence's decoder input.</summary>
    public int BeginId { get; }

    /// <summary>The id that ends every decoded sentence.</summary>
    public int EndId { get; }

    /// <summary>The padding id (its embedding is zero and gets no gradient).</summary>
    public int PaddingId { get; }

    /// <summary>The width of a document code: h, then c for an LSTM (2H or H).</summary>
    public int CodeSize => (Cell.HasCellState ? 2 : 1) * HiddenSize;

    /// <summary>Token vectors of encoder and decoder.</summary>
    public Embedding TokenEmbedding { get; }

    /// <summary>Tokens → sentence vector (the final hidden state).</summary>
    public RecurrentLayer WordEncoder { get; }

    /// <summary>Sentence vectors → document code (the final state).</summary>
    public RecurrentLayer SentenceEncoder { get; }

    /// <summary>Document code → one decoded sentence vector per step.</summary>
    public RecurrentLayer SentenceDecoder { get; }

    /// <summary>Decoded sentence vector → logits of (continue, stop).</summary>
    public Linear Stop { get; }

    /// <summary>Decoded sentence vector → the word decoder's initial hidden state (through tanh).</summary>
    public Linear WordStart { get; }

    /// <summary>[previous token; sentence vector] → next-token state.</summary>
    public RecurrentLayer WordDecoder { get; }

    /// <summary>Word decoder state → vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>The sentence vectors (N, H) of every sentence of every document, documents in order.</summary>
    public Tensor EncodeSentences(IReadOnlyList<IReadOnlyList<int[]>> documents)
    {
        var sentences = Sentences(documents);
        var tokens = PaddedSequences.FromSequences(sentences, PaddingId);
        var embedded = TokenEmbedding.Forward(tokens.Ids, tokens.Batch, tokens.Steps);
        return WordEncoder.Forward(embedded, null, null, tokens.Lengths).Hidden.Select(0, 0);
    }

    /// <summary>The document codes (B, <see cref="CodeSize"/>): the sentence encoder's final h, then c for an LSTM.</summary>
    public Tensor Code(IReadOnlyList<IReadOnlyList<int[]>> documents)
    {
        var (h, c) = EncodeDocuments(documents);
        return c is null ? h.Select(0, 0) : Tensor.Concat([h.Select(0, 0), c.Select(0, 0)], 1);
    }

    /// <summary>The sentence encoder's final state (1, B, H) over the padded (B, S, H) sentence vectors.</summary>
    private (Tensor H, Tensor? C) EncodeDocuments(IReadOnlyList<IReadOnlyList<int[]>> documents)
    {
        var vectors = EncodeSentences(documents);
        var (rows, steps) = PaddedRows(documents, vectors.Size(0));
        // Row N of the table is zeros: the padding of documents with fewer sentences (the encoder stops at each length).
        var table = Tensor.Concat([vectors, Tensor.Zeros(1, HiddenSize)], 0);
        var padded = table.IndexSelect(0, rows).Reshape(documents.Count, steps, HiddenSize);
        var result = SentenceEncoder.Forward(padded, null, null, Counts(documents));
        return (result.Hidden, result.Cell);
    }

    /// <summary>
    /// Teacher-forced pass over a batch of documents: the word logits of every sentence and the stop logits. With
    /// <paramref name="wordDropout"/> above 0 (training), each word-decoder input after &lt;bos&gt; is replaced by the padding
    /// id with that probability, drawn from <paramref name="random"/> (<see cref="WordDropout"/>).
    /// </summary>
    public HierarchicalOutput Forward(IReadOnlyList<IReadOnlyList<int[]>> documents, float wordDropout = 0f, RandomGenerator? random = null)
    {
        if (wordDropout > 0f && random is null) throw new ArgumentNullException(nameof(random), "HierarchicalAutoencoder: word dropout needs a random generator.");
        var (h, c) = EncodeDocuments(documents);
        var counts = Counts(documents);
        int batch = documents.Count, steps = counts.Max();
        var decoded = SentenceDecoder.Forward(Tensor.Ones(batch, steps, 1), h, c, counts).Output;   // (B, S, H)
        var stopLogits = Stop.Forward(decoded);
        var stopTargets = new int[batch * steps];
        for (int b = 0; b < batch; b++) stopTargets[b * steps + counts[b] - 1] = 1;
        var stopMask = SequenceMask.FromLengths(counts, steps, SequenceLayout.BatchFirst);

        // The decoded vectors of the real sentences, (N, H), in the order of Sentences(documents).
        var real = new List<int>();
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < counts[b]; s++) real.Add(b * steps + s);
        var vectors = decoded.Reshape(batch * steps, HiddenSize).IndexSelect(0, real.ToArray());
        var sentences = Sentences(documents);
        IReadOnlyList<IReadOnlyList<int>> inputs = sentences.Select(s => (IReadOnlyList<int>)[BeginId, .. s]).ToArray();
        if (wordDropout > 0f) inputs = WordDropout.Apply(inputs, wordDropout, PaddingId, random!);
        var input = PaddedSequences.FromSequences(inputs, PaddingId);
        var targets = PaddedSequences.FromSequences(sentences.Select(s => (IReadOnlyList<int>)[.. s, EndId]).ToArray(), PaddingId);
        var logits = DecodeWords(vectors, input);
        return new HierarchicalOutput(logits, targets.Ids, SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst),
            stopLogits, stopTargets, stopMask);
    }

    /// <summary>The word decoder over known inputs (N, T) for sentence vectors (N, H): logits (N, T, V).</summary>
    private Tensor DecodeWords(Tensor vectors, PaddedSequences input)
    {
        var embedded = TokenEmbedding.Forward(input.Ids, input.Batch, input.Steps);
        var condition = vectors.Unsqueeze(1).BroadcastTo(input.Batch, input.Steps, HiddenSize);
        var start = WordStart.Forward(vectors).Tanh().Unsqueeze(0);
        var output = WordDecoder.Forward(Tensor.Concat([embedded, condition], 2), start, null, input.Lengths).Output;
        return Projection.Forward(output);
    }

    /// <summary>Greedy decoding of documents: each is encoded to its code and decoded back (<see cref="DecodeFrom"/>).</summary>
    public List<List<int[]>> GreedyDecode(IReadOnlyList<IReadOnlyList<int[]>> documents, int maxSentences, int maxLength)
    {
        using var noGrad = new NoGradScope();
        return DecodeFrom(Code(documents), maxSentences, maxLength);
    }

    /// <summary>
    /// Greedy decoding from codes (B, <see cref="CodeSize"/>) laid out as <see cref="Code"/> returns them: sentences until
    /// the stop head says the document ends (or <paramref name="maxSentences"/>), each sentence's tokens until the end token
    /// (or <paramref name="maxLength"/>). Any vector of that width decodes (one-to-many).
    /// </summary>
    public List<List<int[]>> DecodeFrom(Tensor codes, int maxSentences, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Rank != 2 || codes.Size(1) != CodeSize)
            throw new TensorShapeException("HierarchicalAutoencoder.DecodeFrom", $"codes {TensorShape.Format(codes.Shape)} are not (batch, {CodeSize})");
        if (maxSentences < 1 || maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxSentences), "maxSentences and maxLength must be at least 1.");
        using var noGrad = new NoGradScope();
        int batch = codes.Size(0);
        var h = codes.Slice(1, 0, HiddenSize).Unsqueeze(0);
        var c = Cell.HasCellState ? codes.Slice(1, HiddenSize, HiddenSize).Unsqueeze(0) : null;
        // The sentence decoder's input is constant, so all its steps run in one pass; a document ends at its first stop.
        var decoded = SentenceDecoder.Forward(Tensor.Ones(batch, maxSentences, 1), h, c).Output;
        var stops = Stop.Forward(decoded).ArgMaxRows();
        var rows = new List<int>();
        var counts = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            int s = 0;
            while (s < maxSentences)
            {
                rows.Add(b * maxSentences + s);
                if (stops[b * maxSentences + s++] == 1) break;
            }
            counts[b] = s;
        }
        var words = GreedyWords(decoded.Reshape(batch * maxSentences, HiddenSize).IndexSelect(0, rows.ToArray()), maxLength);
        var result = new List<List<int[]>>(batch);
        int next = 0;
        for (int b = 0; b < batch; b++)
        {
            result.Add(words.GetRange(next, counts[b]));
            next += counts[b];
        }
        return result;
    }

    /// <summary>Greedy word decoding of sentence vectors (N, H), one step at a time for all sentences together.</summary>
    private List<int[]> GreedyWords(Tensor vectors, int maxLength)
    {
        int n = vectors.Size(0);
        Tensor state = WordStart.Forward(vectors).Tanh().Unsqueeze(0);
        Tensor? cell = null;
        var condition = vectors.Unsqueeze(1);
        var tokens = Enumerable.Repeat(BeginId, n).ToArray();
        var results = Enumerable.Range(0, n).Select(_ => new List<int>()).ToList();
        var done = new bool[n];
        for (int step = 0; step < maxLength && done.Contains(false); step++)
        {
            var embedded = TokenEmbedding.Forward(tokens, n, 1);
            var run = WordDecoder.Forward(Tensor.Concat([embedded, condition], 2), state, cell);
            state = run.Hidden;
            cell = run.Cell;
            tokens = Projection.Forward(run.Output.Squeeze(1)).ArgMaxRows();
            for (int i = 0; i < n; i++)
            {
                if (done[i]) continue;
                if (tokens[i] == EndId) done[i] = true;
                else results[i].Add(tokens[i]);
            }
        }
        return results.Select(r => r.ToArray()).ToList();
    }

    /// <summary>Every sentence of every document, in order; a document without sentences or an empty sentence is refused.</summary>
    private static IReadOnlyList<int>[] Sentences(IReadOnlyList<IReadOnlyList<int[]>> documents)
    {
        if (documents.Count == 0) throw new ArgumentException("HierarchicalAutoencoder: no documents.");
        for (int b = 0; b < documents.Count; b++)
        {
            if (documents[b].Count == 0) throw new ArgumentException($"HierarchicalAutoencoder: document {b} has no sentences.");
            if (documents[b].Any(s => s.Length == 0)) throw new ArgumentException($"HierarchicalAutoencoder: document {b} has an empty sentence.");
        }
        return documents.SelectMany(d => d.Select(s => (IReadOnlyList<int>)s)).ToArray();
    }

    private static int[] Counts(IReadOnlyList<IReadOnlyList<int[]>> documents) => documents.Select(d => d.Count).ToArray();

    /// <summary>For the padded (B, S) grid of sentences: the row of each cell in the (N + 1)-row table (N for padding), and S.</summary>
    private static (int[] Rows, int Steps) PaddedRows(IReadOnlyList<IReadOnlyList<int[]>> documents, int total)
    {
        int steps = documents.Max(d => d.Count), next = 0;
        var rows = new int[documents.Count * steps];
        for (int b = 0; b < documents.Count; b++)
            for (int s = 0; s < steps; s++)
                rows[b * steps + s] = s < documents[b].Count ? next++ : total;
        return (rows, steps);
    }
}
