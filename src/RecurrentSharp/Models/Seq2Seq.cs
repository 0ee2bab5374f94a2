using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>
/// Encoder-decoder (Sutskever et al. 2014; Cho et al. 2014): an encoder RNN reads the source sequence;
/// its final state initializes a decoder RNN that predicts the target one token at a time. Training uses
/// teacher forcing (the decoder reads the true previous token); inference decodes greedily or with beam
/// search up to a maximum length. With the same vocabulary on both sides and target = source it is the
/// sequence autoencoder, whose encoder state is a fixed-size embedding of the sequence (<see cref="Embed"/>).
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
        bool bidirectionalEncoder = false, float dropout = 0f, int beginId = 1, int endId = 2, int paddingId = 0, RandomGenerator? random = null)
    {
        this.random = random ?? RandomGenerator.Default;
        Cell = cell ?? new CellSpec(CellKind.Lstm);
        BeginId = beginId;
        EndId = endId;
        PaddingId = paddingId;
        SourceEmbedding = RegisterModule("source_embedding", new Embedding(sourceVocabulary, embeddingSize, paddingId, this.random));
        TargetEmbedding = RegisterModule("target_embedding", new Embedding(targetVocabulary, embeddingSize, paddingId, this.random));
        Encoder = RegisterModule("encoder", RecurrentLayer.Create(Cell, embeddingSize, hiddenSize, numLayers, batchFirst: true,
            dropout: dropout, bidirectional: bidirectionalEncoder, random: this.random));
        Decoder = RegisterModule("decoder", RecurrentLayer.Create(Cell, embeddingSize, Encoder.Directions * hiddenSize, numLayers,
            batchFirst: true, dropout: dropout, random: this.random));
        Projection = RegisterModule("projection", new Linear(Decoder.HiddenSize, targetVocabulary, random: this.random));
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

    /// <summary>Decoder state to target-vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>Runs the encoder and returns the decoder's initial states (h, c), each (L, B, D·H).</summary>
    public (Tensor H, Tensor? C) Encode(PaddedSequences source)
    {
        var embedded = SourceEmbedding.Forward(source.Ids, source.Batch, source.Steps);
        var result = Encoder.Forward(embedded, null, null, source.Lengths);
        return (MergeDirections(result.Hidden, source.Batch), result.Cell is null ? null : MergeDirections(result.Cell, source.Batch));
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
        var (h, c) = Encode(source);
        if (teacherForcing >= 1f)
        {
            var embedded = TargetEmbedding.Forward(decoderInput.Ids, decoderInput.Batch, decoderInput.Steps);
            var output = Decoder.Forward(embedded, h, c, decoderInput.Lengths).Output;
            return Projection.Forward(output);
        }

        var logits = new List<Tensor>();
        var tokens = Enumerable.Range(0, decoderInput.Batch).Select(b => decoderInput[b, 0]).ToArray();
        for (int t = 0; t < decoderInput.Steps; t++)
        {
            if (t > 0)
            {
                var predicted = logits[^1].ArgMaxRows();
                for (int b = 0; b < tokens.Length; b++)
                    tokens[b] = random.NextFloat() < teacherForcing ? decoderInput[b, t] : predicted[b];
            }
            var step = Decoder.Forward(TargetEmbedding.Forward(tokens, tokens.Length, 1), h, c);
            (h, c) = (step.Hidden, step.Cell);
            logits.Add(Projection.Forward(step.Output.Squeeze(1)));
        }
        return Tensor.Stack(logits, 1);
    }

    /// <summary>Greedy decoding: at every step the most likely token, until the end token or <paramref name="maxLength"/> tokens.</summary>
    public List<int[]> GreedyDecode(PaddedSequences source, int maxLength)
    {
        using var noGrad = new NoGradScope();
        var (h, c) = Encode(source);
        var tokens = Enumerable.Repeat(BeginId, source.Batch).ToArray();
        var results = Enumerable.Range(0, source.Batch).Select(_ => new List<int>()).ToList();
        var done = new bool[source.Batch];
        for (int step = 0; step < maxLength && done.Contains(false); step++)
        {
            var (logits, hNext, cNext) = DecodeStep(tokens, h, c);
            (h, c) = (hNext, cNext);
            tokens = logits.ArgMaxRows();
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
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, "beamWidth must be at least 1.");
        using var noGrad = new NoGradScope();
        var results = new List<int[]>();
        for (int b = 0; b < source.Batch; b++)
        {
            var one = PaddedSequences.FromSequences([source.Sequence(b)]);
            results.Add(SearchOne(one, beamWidth, maxLength, lengthPenalty));
        }
        return results;
    }

    private int[] SearchOne(PaddedSequences source, int beamWidth, int maxLength, float lengthPenalty)
    {
        var (h, c) = Encode(source);
        var beams = new List<(List<int> Tokens, double Score)> { ([], 0.0) };
        var finished = new List<(List<int> Tokens, double Score)>();
        for (int step = 0; step < maxLength && beams.Count > 0; step++)
        {
            int n = beams.Count;
            var last = beams.Select(beam => beam.Tokens.Count == 0 ? BeginId : beam.Tokens[^1]).ToArray();
            var (logits, hNext, cNext) = DecodeStep(last, h, c);
            var logProbs = logits.LogSoftmax(-1);
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
                if (token == EndId) finished.Add((beams[beam].Tokens, score));
                else
                {
                    next.Add(([.. beams[beam].Tokens, token], score));
                    keep.Add(beam);
                }
            }
            if (finished.Count >= beamWidth) break;
            beams = next;
            if (keep.Count == 0) break;
            h = hNext.IndexSelect(1, keep.ToArray());
            c = cNext?.IndexSelect(1, keep.ToArray());
        }
        finished.AddRange(beams);
        return finished.OrderByDescending(f => f.Score / Math.Pow(Math.Max(1, f.Tokens.Count), lengthPenalty)).First().Tokens.ToArray();
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

    /// <summary>One decoder step for a batch of previous tokens: logits (B, V) and the new states.</summary>
    private (Tensor Logits, Tensor H, Tensor? C) DecodeStep(int[] previous, Tensor h, Tensor? c)
    {
        var step = Decoder.Forward(TargetEmbedding.Forward(previous, previous.Length, 1), h, c);
        return (Projection.Forward(step.Output.Squeeze(1)), step.Hidden, step.Cell);
    }
}
