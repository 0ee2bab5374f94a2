using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Writes RecurrentSharp layers and task models as ONNX graphs (opset 14) that ONNX Runtime runs with the
/// same results as our own forward pass (inference: dropout is left out). Recurrent layers become ONNX
/// RNN / LSTM / GRU nodes (<see cref="OnnxRecurrentNodes"/>), always time-major (batch-first inputs go through
/// Transpose, as ONNX Runtime refuses layout = 1), with sequence_lens for padded batches. Heads: Embedding as
/// Gather, Linear as Gemm (2-D) or MatMul + Add (3-D), last/mean/max pooling over the valid steps, Softmax.
/// Dynamic axes are named "batch" and "seq". Layers with no ONNX operator are refused by name.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set written (as torch.onnx.export in the fixtures).</summary>
    public const int OpsetVersion = 14;

    /// <summary>
    /// A recurrent layer alone. Inputs: "input" (T, B, I), or (B, T, I) when batch-first; with
    /// <paramref name="withLengths"/> "lengths" int32 (B), each sequence's length; with
    /// <paramref name="withInitialState"/> "h0" (and "c0" for an LSTM), (L·D, B, H). Outputs: "output", "h_n" [, "c_n"]
    /// as <see cref="RecurrentLayer.Forward"/> returns them.
    /// </summary>
    public static OnnxModel Export(RecurrentLayer layer, bool withLengths = false, bool withInitialState = false)
    {
        var g = new OnnxGraphBuilder(layer.Cell.Name);
        int LD = layer.NumLayers * layer.Directions, H = layer.HiddenSize;
        string input = layer.BatchFirst
            ? g.Input("input", OnnxDataType.Float, "batch", "seq", layer.InputSize)
            : g.Input("input", OnnxDataType.Float, "seq", "batch", layer.InputSize);
        string? lengths = withLengths ? g.Input("lengths", OnnxDataType.Int32, "batch") : null;
        string? h0 = withInitialState ? g.Input("h0", OnnxDataType.Float, LD, "batch", H) : null;
        string? c0 = withInitialState && layer.Cell.HasCellState ? g.Input("c0", OnnxDataType.Float, LD, "batch", H) : null;
        var values = OnnxRecurrentNodes.Emit(g, layer, layer.BatchFirst ? g.Transpose(input, 1, 0, 2) : input, lengths, h0, c0, "");
        if (layer.BatchFirst) g.Output("output", g.Transpose(values.Output, 1, 0, 2), OnnxDataType.Float, "batch", "seq", layer.OutputSize);
        else g.Output("output", values.Output, OnnxDataType.Float, "seq", "batch", layer.OutputSize);
        g.Output("h_n", values.Hidden, OnnxDataType.Float, LD, "batch", H);
        if (values.Cell is not null) g.Output("c_n", values.Cell, OnnxDataType.Float, LD, "batch", H);
        return g.Model;
    }

    /// <summary>
    /// A many-to-one classifier. Inputs: "tokens" int64 (B, T) for a token model or "input" (B, T, F) for vectors,
    /// and "lengths" int32 (B). Outputs: "logits" (B, C) as <see cref="SequenceClassifier.Forward(Tensors.Tensor, int[])"/>
    /// returns them, and "probabilities", their softmax.
    /// </summary>
    public static OnnxModel Export(SequenceClassifier model)
    {
        var g = new OnnxGraphBuilder("sequence_classifier");
        var encoder = Fused(model.Encoder, nameof(SequenceClassifier));
        string values = model.Embedding is { } embedding
            ? Embed(g, embedding, g.Input("tokens", OnnxDataType.Int64, "batch", "seq"), "embedding")
            : g.Input("input", OnnxDataType.Float, "batch", "seq", model.Config.InputSize);
        string lengths = g.Input("lengths", OnnxDataType.Int32, "batch");
        string x = g.Transpose(values, 1, 0, 2);                                    // (T, B, F)
        var result = OnnxRecurrentNodes.Emit(g, encoder, x, lengths, null, null, "encoder.");
        string summary = model.Config.Pooling switch
        {
            Pooling.Last => OnnxRecurrentNodes.LastState(g, encoder, result),
            Pooling.Mean => MaskedMean(g, result.Output, lengths),
            _ => MaskedMax(g, result.Output, lengths),
        };
        string logits = Linear(g, model.Head, summary, "head", matrix: true);
        g.Output("logits", logits, OnnxDataType.Float, "batch", model.Config.Classes);
        g.Output("probabilities", g.Node("Softmax", [logits], [OnnxAttribute.OfInt("axis", -1)]), OnnxDataType.Float, "batch", model.Config.Classes);
        return g.Model;
    }

    /// <summary>
    /// The joint slot tagger and intent classifier. Inputs: "tokens" int64 (B, T), "lengths" int32 (B).
    /// Outputs: "tag_logits" (B, T, K) and "intent_logits" (B, I), as <see cref="SlotIntentTagger.Forward(RecurrentSharp.Nn.PaddedSequences)"/>.
    /// A tagger with character features or the CRF head is refused (neither is in the graph): train it with
    /// <c>--head softmax --char-features false</c> to export it.
    /// </summary>
    public static OnnxModel Export(SlotIntentTagger model)
    {
        if (model.Characters is not null || model.Crf is not null)
            throw new OnnxUnsupportedException($"SlotIntentTagger: the ONNX export covers the word embedding, encoder and linear heads only; this model has " +
                $"{(model.Characters is not null ? "character features" : "")}{(model.Characters is not null && model.Crf is not null ? " and " : "")}{(model.Crf is not null ? "a CRF head" : "")} " +
                "(train with --head softmax --char-features false to export).");
        var g = new OnnxGraphBuilder("slot_intent_tagger");
        var encoder = Fused(model.Encoder, nameof(SlotIntentTagger));
        string embedded = Embed(g, model.Embedding, g.Input("tokens", OnnxDataType.Int64, "batch", "seq"), "embedding");
        string lengths = g.Input("lengths", OnnxDataType.Int32, "batch");
        var result = OnnxRecurrentNodes.Emit(g, encoder, g.Transpose(embedded, 1, 0, 2), lengths, null, null, "encoder.");
        string tags = Linear(g, model.TagHead, g.Transpose(result.Output, 1, 0, 2), "tag_head", matrix: false);
        g.Output("tag_logits", tags, OnnxDataType.Float, "batch", "seq", model.Config.Tags);
        string intents = Linear(g, model.IntentHead, OnnxRecurrentNodes.LastState(g, encoder, result), "intent_head", matrix: true);
        g.Output("intent_logits", intents, OnnxDataType.Float, "batch", model.Config.Intents);
        return g.Model;
    }

    /// <summary>
    /// The character language model, one chunk at a time with its state carried outside. Inputs: "tokens"
    /// int64 (T, B), "h0" (L, B, H) [and "c0" for an LSTM] (zeros for a fresh start). Outputs: "logits" (T, B, V),
    /// "h_n" [, "c_n"], to feed the next chunk (e.g. one step of sampling).
    /// </summary>
    public static OnnxModel Export(CharLanguageModel model)
    {
        var g = new OnnxGraphBuilder("char_language_model");
        var rnn = model.Recurrent;
        int L = rnn.NumLayers, H = rnn.HiddenSize, V = model.Config.Vocabulary;
        string embedded = Embed(g, model.Embedding, g.Input("tokens", OnnxDataType.Int64, "seq", "batch"), "embedding");
        string h0 = g.Input("h0", OnnxDataType.Float, L, "batch", H);
        string? c0 = rnn.Cell.HasCellState ? g.Input("c0", OnnxDataType.Float, L, "batch", H) : null;
        var result = OnnxRecurrentNodes.Emit(g, rnn, embedded, null, h0, c0, "rnn.");
        g.Output("logits", Linear(g, model.Head, result.Output, "head", matrix: false), OnnxDataType.Float, "seq", "batch", V);
        g.Output("h_n", result.Hidden, OnnxDataType.Float, L, "batch", H);
        if (result.Cell is not null) g.Output("c_n", result.Cell, OnnxDataType.Float, L, "batch", H);
        return g.Model;
    }

    /// <summary>The regressor / forecaster. Input: "input" (B, T, F). Output: "predictions" (B, outputs).</summary>
    public static OnnxModel Export(SequenceRegressor model)
    {
        var g = new OnnxGraphBuilder("sequence_regressor");
        var encoder = Fused(model.Encoder, nameof(SequenceRegressor));
        string input = g.Input("input", OnnxDataType.Float, "batch", "seq", model.Config.InputSize);
        var result = OnnxRecurrentNodes.Emit(g, encoder, g.Transpose(input, 1, 0, 2), null, null, null, "encoder.");
        g.Output("predictions", Linear(g, model.Head, OnnxRecurrentNodes.LastState(g, encoder, result), "head", matrix: true), OnnxDataType.Float, "batch", model.Config.Outputs);
        return g.Model;
    }

    /// <summary>A sequence-to-sequence model as an encoder graph and a one-step decoder graph (<see cref="OnnxSeq2Seq"/>).</summary>
    public static OnnxSeq2Seq Export(Seq2Seq model) => OnnxSeq2SeqExport.Export(model);

    /// <summary>Any supported module: a recurrent layer or one of the task models; anything else is refused by name.</summary>
    public static OnnxModel Export(Module model) => model switch
    {
        RecurrentLayer layer => Export(layer),
        SequenceClassifier classifier => Export(classifier),
        SlotIntentTagger tagger => Export(tagger),
        CharLanguageModel language => Export(language),
        SequenceRegressor regressor => Export(regressor),
        Seq2Seq seq2seq => OnnxSeq2SeqExport.Refuse(seq2seq),
        _ => throw Refusal(model, model.GetType().Name),
    };

    /// <summary>The fused layer inside a model's encoder, or a refusal naming what is there instead.</summary>
    internal static RecurrentLayer Fused(IRecurrentLayer encoder, string owner) =>
        encoder as RecurrentLayer ?? throw Refusal(encoder, owner);

    internal static OnnxUnsupportedException Refusal(object layer, string owner)
    {
        string name = Describe(layer);
        var culprit = Leaves(layer).FirstOrDefault(l => l is not RecurrentLayer) ?? layer;
        string why = culprit switch
        {
            JordanRnn => "JordanRnn feeds its output layer's values back into the hidden state; ONNX's RNN, LSTM and GRU operators recur on the hidden state only",
            PyramidalRnn => "PyramidalRnn halves the time axis between its layers by concatenating neighbouring steps, which ONNX's recurrent operators cannot express inside one node",
            CaptionDecoder => "CaptionDecoder runs a step loop with image-conditioned state and decoding",
            Bidirectional or StackedRnn => "a wrapper of separately built layers has no single ONNX operator; use a fused layer with numLayers and bidirectional",
            _ => $"{culprit.GetType().Name} has no ONNX counterpart in RecurrentSharp's exporter",
        };
        return new OnnxUnsupportedException(
            $"{owner}: cannot export {name} to ONNX: {why}. Exportable: Rnn (tanh, relu, identity), Lstm (incl. peephole, coupled), Gru (PyTorch and Cho forms), " +
            "stacked and bidirectional, inside SequenceClassifier, SlotIntentTagger, CharLanguageModel and SequenceRegressor.");
    }

    /// <summary>The layers a wrapper is built of (the layer itself when it wraps nothing).</summary>
    private static IEnumerable<object> Leaves(object layer) => layer switch
    {
        Bidirectional b => Leaves(b.ForwardLayer).Concat(Leaves(b.BackwardLayer)),
        StackedRnn s => s.Layers.SelectMany(Leaves),
        _ => [layer],
    };

    /// <summary>A layer's type with what it wraps, e.g. Bidirectional(JordanRnn, JordanRnn).</summary>
    private static string Describe(object layer) => layer switch
    {
        Bidirectional b => $"Bidirectional({Describe(b.ForwardLayer)}, {Describe(b.BackwardLayer)})",
        StackedRnn s => $"StackedRnn({string.Join(", ", s.Layers.Select(Describe))})",
        _ => layer.GetType().Name,
    };

    /// <summary>Embedding as Gather(weight, ids): (..., E).</summary>
    internal static string Embed(OnnxGraphBuilder g, Embedding embedding, string ids, string name) =>
        g.Node("Gather", [g.Weight(name + ".weight", embedding.Weight.Data, embedding.Count, embedding.Dimension), ids], [OnnxAttribute.OfInt("axis", 0)]);

    /// <summary>y = x Wᵀ + b: Gemm when <paramref name="matrix"/> (a (B, F) input), else MatMul with Wᵀ then Add (higher ranks).</summary>
    internal static string Linear(OnnxGraphBuilder g, Linear linear, string x, string name, bool matrix)
    {
        string w = g.Weight(name + ".weight", linear.Weight.Data, linear.OutFeatures, linear.InFeatures);
        string? b = linear.Bias is { } bias ? g.Weight(name + ".bias", bias.Data, linear.OutFeatures) : null;
        return matrix ? g.Node("Gemm", b is null ? [x, w] : [x, w, b], [OnnxAttribute.OfInt("transB", 1)])
            : b is null ? g.Node("MatMul", [x, g.Transpose(w, 1, 0)]) : g.Node("Add", [g.Node("MatMul", [x, g.Transpose(w, 1, 0)]), b]);
    }

    /// <summary>(T, B, 1) float mask: 1 where t &lt; length[b], else 0.</summary>
    private static string ValidMask(OnnxGraphBuilder g, string output, string lengths)
    {
        string steps = g.Node("Gather", [g.Node("Shape", [output]), g.Int64s("zero", [0], scalar: true)], [OnnxAttribute.OfInt("axis", 0)]);
        string t = g.Node("Range", [g.Int64s("zero", [0], scalar: true), steps, g.Int64s("one", [1], scalar: true)]);           // (T)
        string valid = g.Node("Less", [g.Unsqueeze(t, 1), g.Unsqueeze(g.Cast(lengths, OnnxDataType.Int64), 0)]);               // (T, B)
        return g.Unsqueeze(g.Cast(valid, OnnxDataType.Float), 2);                                                              // (T, B, 1)
    }

    /// <summary>Σ_t y_t ⊙ mask_t · (1 / length): the mean over the valid steps, (B, F).</summary>
    private static string MaskedMean(OnnxGraphBuilder g, string output, string lengths)
    {
        string sum = g.Node("ReduceSum", [g.Node("Mul", [output, ValidMask(g, output, lengths)]), g.Int64s("axes", [0])], [OnnxAttribute.OfInt("keepdims", 0)]);
        string inverse = g.Node("Reciprocal", [g.Unsqueeze(g.Cast(lengths, OnnxDataType.Float), 1)]);                     // (B, 1)
        return (g.Node("Mul", [sum, inverse]));
    }

    /// <summary>max_t (y_t + (mask_t − 1)·10⁹): the maximum over the valid steps, padding pushed to −10⁹, (B, F).</summary>
    private static string MaskedMax(OnnxGraphBuilder g, string output, string lengths)
    {
        string offset = g.Node("Mul", [g.Node("Sub", [ValidMask(g, output, lengths), g.Scalar("one_f", 1f)]), g.Scalar("big", 1e9f)]);
        return (g.Node("ReduceMax", [g.Node("Add", [output, offset])], [OnnxAttribute.OfInts("axes", 0), OnnxAttribute.OfInt("keepdims", 0)]));
    }
}
