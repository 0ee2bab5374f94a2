using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>
/// An image-captioning decoder (Karpathy and Fei-Fei 2015, Vinyals et al. 2015): an Elman RNN over word
/// embeddings whose first step also receives the image's feature vector X (from a CNN) through its own
/// weight matrix V:
/// <code>
///   s_1 = tanh(U x_1 + W s_0 + V X + b)        (b = b_ih + b_hh)
///   s_t = tanh(U x_t + W s_{t-1} + b)          t > 1, without the V X term
///   y_t = softmax(W_out s_t + b_out)
/// </code>
/// U and W are the <c>rnn.weight_ih_l0</c> and <c>rnn.weight_hh_l0</c> of a fused <see cref="Rnn"/>; the first
/// step is written with autograd operations and the rest runs on the fused path from s_1.
/// </summary>
public sealed class CaptionDecoder : Module
{
    /// <summary>Creates the decoder.</summary>
    public CaptionDecoder(int vocabulary, int embeddingSize, int hiddenSize, int featureSize, int paddingId = 0, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        HiddenSize = hiddenSize;
        FeatureSize = featureSize;
        WordEmbedding = RegisterModule("embedding", new Embedding(vocabulary, embeddingSize, paddingId, random));
        Rnn = RegisterModule("rnn", new Rnn(embeddingSize, hiddenSize, batchFirst: true, random: random));
        float k = 1f / MathF.Sqrt(hiddenSize);
        ImageWeight = RegisterParameter("weight_image", Tensor.RandomUniform(random, -k, k, hiddenSize, featureSize));
        Projection = RegisterModule("projection", new Linear(hiddenSize, vocabulary, random: random));
    }

    /// <summary>The hidden size.</summary>
    public int HiddenSize { get; }

    /// <summary>The image feature size.</summary>
    public int FeatureSize { get; }

    /// <summary>Word vectors.</summary>
    public Embedding WordEmbedding { get; }

    /// <summary>The recurrence (U = weight_ih_l0, W = weight_hh_l0).</summary>
    public Rnn Rnn { get; }

    /// <summary>V: (hidden, feature), the image's way into the first step.</summary>
    public Tensor ImageWeight { get; }

    /// <summary>Hidden state to vocabulary logits.</summary>
    public Linear Projection { get; }

    /// <summary>
    /// Teacher-forced pass: <paramref name="features"/> (B, F) and the caption input tokens (begin token then the
    /// caption shifted right). Returns logits (B, T, V); steps past a caption's length are zero.
    /// </summary>
    public Tensor Forward(Tensor features, PaddedSequences tokens, Tensor? s0 = null)
    {
        if (features.Rank != 2 || features.Size(1) != FeatureSize || features.Size(0) != tokens.Batch)
            throw new TensorShapeException("CaptionDecoder", $"features {TensorShape.Format(features.Shape)} must be ({tokens.Batch}, {FeatureSize})");
        var embedded = WordEmbedding.Forward(tokens.Ids, tokens.Batch, tokens.Steps);   // (B, T, E)
        var s1 = FirstStep(embedded.Select(1, 0), features, s0);
        var states = s1.Unsqueeze(1);
        if (tokens.Steps > 1)
        {
            // s_2 .. s_T on the fused path, starting from s_1; a one-token caption runs one dummy step.
            var rest = embedded.Slice(1, 1, tokens.Steps - 1);
            var lengths = tokens.Lengths.Select(l => Math.Max(1, l - 1)).ToArray();
            var later = Rnn.Forward(rest, s1.Unsqueeze(0), null, lengths).Output;
            states = Tensor.Concat([states, later], 1);
        }
        var mask = new float[tokens.Batch * tokens.Steps];
        for (int b = 0; b < tokens.Batch; b++)
            for (int t = 0; t < tokens.Lengths[b]; t++) mask[b * tokens.Steps + t] = 1f;
        return Projection.Forward(states) * Tensor.Wrap(mask, tokens.Batch, tokens.Steps, 1);
    }

    /// <summary>s_1 = tanh(U x_1 + W s_0 + V X + b_ih + b_hh).</summary>
    private Tensor FirstStep(Tensor x1, Tensor features, Tensor? s0)
    {
        var weights = Rnn.WeightsOf(0, 0);
        var a = Tensor.MatMul(x1, weights.InputWeightTensor, transposeB: true)
              + Tensor.MatMul(features, ImageWeight, transposeB: true);
        if (s0 is not null) a += Tensor.MatMul(s0, weights.HiddenWeightTensor, transposeB: true);
        if (weights.InputBiasTensor is not null) a = a + weights.InputBiasTensor + weights.HiddenBiasTensor!;
        return a.Tanh();
    }

    /// <summary>Greedy captioning: the most likely word at each step until <paramref name="endId"/> or <paramref name="maxLength"/> words.</summary>
    public List<int[]> Generate(Tensor features, int beginId, int endId, int maxLength)
    {
        using var noGrad = new NoGradScope();
        int batch = features.Size(0);
        var words = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToList();
        var done = new bool[batch];
        var tokens = Enumerable.Repeat(beginId, batch).ToArray();
        Tensor? state = null;
        for (int step = 0; step < maxLength && done.Contains(false); step++)
        {
            var x = WordEmbedding.Forward(tokens, batch);
            state = step == 0 ? FirstStep(x, features, null) : Rnn.Forward(x.Unsqueeze(1), state!.Unsqueeze(0)).Output.Squeeze(1);
            tokens = Projection.Forward(state).ArgMaxRows();
            for (int b = 0; b < batch; b++)
            {
                if (done[b]) continue;
                if (tokens[b] == endId) done[b] = true;
                else words[b].Add(tokens[b]);
            }
        }
        return words.Select(w => w.ToArray()).ToList();
    }
}
