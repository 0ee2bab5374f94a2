using Microsoft.ML.OnnxRuntime;
using RecurrentSharp.Tensors;
using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;
using static RecurrentSharp.Tests.Interop.Onnx.OnnxRuntimeSession;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Interop.Onnx;

/// <summary>
/// Every exportable layer kind and task model, exported and run in ONNX Runtime on random inputs (with
/// variable lengths where the model takes them), equals our own forward within 1e-5 · max(1, max|ours|).
/// </summary>
public class OnnxExportTests
{
    public static TheoryData<string, int, bool, bool, bool, bool, bool> Layers()
    {
        var data = new TheoryData<string, int, bool, bool, bool, bool, bool>();
        foreach (var cell in new[] { "rnn-tanh", "rnn-relu", "rnn-identity", "lstm", "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled", "gru", "gru-cho" })
        {
            // cell, layers, bidirectional, batchFirst, lengths, initial state, bias
            data.Add(cell, 1, false, false, false, false, true);
            data.Add(cell, 2, true, true, true, true, true);
            data.Add(cell, 1, true, false, true, false, false);
            data.Add(cell, 2, false, true, false, true, true);
            data.Add(cell, 3, true, false, true, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_runs_in_onnx_runtime_as_ours(string cellName, int layers, bool bidirectional, bool batchFirst, bool withLengths, bool withState, bool bias)
    {
        var random = new RandomGenerator(HashCode.Combine(cellName, layers, bidirectional, batchFirst, withLengths, withState) & 0x7FFFFFFF);
        int T = 7, B = 4, I = 5, H = 6;
        var cell = CellSpec.Parse(cellName);
        var layer = RecurrentLayer.Create(cell, I, H, layers, bias, batchFirst, 0f, bidirectional, random);
        layer.Eval();
        int[] inputShape = batchFirst ? [B, T, I] : [T, B, I];
        var input = Tensor.RandomNormal(random, 0f, 1f, inputShape);
        int LD = layers * layer.Directions;
        var h0 = withState ? Tensor.RandomNormal(random, 0f, 1f, LD, B, H) : null;
        var c0 = withState && cell.HasCellState ? Tensor.RandomNormal(random, 0f, 1f, LD, B, H) : null;
        int[]? lengths = withLengths ? [T, 3, 1, 5] : null;

        RecurrentOutput ours;
        using (new NoGradScope()) ours = layer.Forward(input, h0, c0, lengths);
        var model = OnnxExporter.Export(layer, withLengths, withState);
        var feeds = new List<NamedOnnxValue> { Floats("input", input) };
        if (lengths is not null) feeds.Add(Int32s("lengths", lengths));
        if (h0 is not null) feeds.Add(Floats("h0", h0));
        if (c0 is not null) feeds.Add(Floats("c0", c0));
        var ort = Run(model, [.. feeds]);
        Equal(ours.Output, ort["output"], "output");
        Equal(ours.Hidden, ort["h_n"], "h_n");
        if (ours.Cell is not null) Equal(ours.Cell, ort["c_n"], "c_n");
    }

    internal static PaddedSequences RandomTokens(RandomGenerator random, int vocabulary, int[] lengths)
    {
        var sequences = lengths.Select(l => (IReadOnlyList<int>)Enumerable.Range(0, l).Select(_ => 1 + random.Next(vocabulary - 1)).ToArray()).ToList();
        return PaddedSequences.FromSequences(sequences);
    }

    [Theory]
    [InlineData("lstm", Pooling.Last, false, 1)]
    [InlineData("lstm", Pooling.Mean, true, 2)]
    [InlineData("gru", Pooling.Max, true, 1)]
    [InlineData("lstm-peephole", Pooling.Last, true, 2)]
    [InlineData("rnn-relu", Pooling.Mean, false, 1)]
    public void A_token_classifier_runs_in_onnx_runtime_as_ours(string cell, Pooling pooling, bool bidirectional, int layers)
    {
        var random = new RandomGenerator(7);
        var model = new SequenceClassifier(new SequenceClassifierConfig(Classes: 3, HiddenSize: 8, Cell: cell, Layers: layers, Bidirectional: bidirectional,
            Dropout: 0.3f, Vocabulary: 20, EmbeddingSize: 6, Pooling: pooling, EmbeddingDropout: 0.2f), random);
        model.Eval();
        CheckClassifier(model, OnnxWriter(OnnxExporter.Export(model)), random);
    }

    /// <summary>Runs a classifier (token or vector input) on a random padded batch, ours and ONNX Runtime's.</summary>
    internal static void CheckClassifier(SequenceClassifier model, byte[] onnx, RandomGenerator random)
    {
        int[] lengths = [9, 4, 1, 7, 9];
        Tensor logits;
        Dictionary<string, (float[] Values, int[] Shape)> ort;
        if (model.Embedding is { } embedding)
        {
            var tokens = RandomTokens(random, embedding.Count, lengths);
            using (new NoGradScope()) logits = model.Forward(tokens);
            ort = Run(onnx, Int64s("tokens", tokens.Ids, tokens.Batch, tokens.Steps), Int32s("lengths", tokens.Lengths));
        }
        else
        {
            var values = Tensor.RandomNormal(random, 0f, 1f, lengths.Length, lengths.Max(), model.Config.InputSize);
            using (new NoGradScope()) logits = model.Forward(values, lengths);
            ort = Run(onnx, Floats("input", values), Int32s("lengths", lengths));
        }
        Equal(logits, ort["logits"], "logits");
        Equal(logits.Softmax(-1), ort["probabilities"], "probabilities");
    }

    [Theory]
    [InlineData("lstm", Pooling.Last)]
    [InlineData("gru-cho", Pooling.Max)]
    [InlineData("lstm-coupled", Pooling.Mean)]
    public void A_vector_classifier_runs_in_onnx_runtime_as_ours(string cell, Pooling pooling)
    {
        var random = new RandomGenerator(11);
        var model = new SequenceClassifier(new SequenceClassifierConfig(Classes: 4, HiddenSize: 7, Cell: cell, Layers: 2, Bidirectional: true, InputSize: 3, Pooling: pooling), random);
        model.Eval();
        CheckClassifier(model, OnnxWriter(OnnxExporter.Export(model)), random);
    }

    [Fact]
    public void The_slot_intent_tagger_runs_in_onnx_runtime_as_ours()
    {
        var random = new RandomGenerator(3);
        var model = new SlotIntentTagger(new SlotIntentTaggerConfig(Vocabulary: 30, Tags: 5, Intents: 4, EmbeddingSize: 8, HiddenSize: 6, Layers: 2), random);
        model.Eval();
        CheckTagger(model, OnnxWriter(OnnxExporter.Export(model)), random);
    }

    internal static void CheckTagger(SlotIntentTagger model, byte[] onnx, RandomGenerator random)
    {
        var words = RandomTokens(random, model.Config.Vocabulary, [5, 8, 2]);
        Tensor tags, intents;
        using (new NoGradScope()) (tags, intents) = model.Forward(words);
        var ort = Run(onnx, Int64s("tokens", words.Ids, words.Batch, words.Steps), Int32s("lengths", words.Lengths));
        Equal(tags, ort["tag_logits"], "tag_logits");
        Equal(intents, ort["intent_logits"], "intent_logits");
    }

    [Theory]
    [InlineData("lstm", 2)]
    [InlineData("gru", 1)]
    [InlineData("rnn-tanh", 2)]
    public void The_char_language_model_runs_in_onnx_runtime_chunk_after_chunk_as_ours(string cell, int layers)
    {
        var random = new RandomGenerator(5);
        var model = new CharLanguageModel(new CharLanguageModelConfig(Vocabulary: 15, EmbeddingSize: 5, HiddenSize: 9, Cell: cell, Layers: layers), random);
        model.Eval();
        CheckLanguageModel(model, OnnxWriter(OnnxExporter.Export(model)), random);
    }

    internal static void CheckLanguageModel(CharLanguageModel model, byte[] onnx, RandomGenerator random)
    {
        int T = 6, B = 2, H = model.Config.HiddenSize, V = model.Config.Vocabulary, layers = model.Config.Layers;
        var first = Enumerable.Range(0, T * B).Select(_ => random.Next(V)).ToArray();
        var second = Enumerable.Range(0, T * B).Select(_ => random.Next(V)).ToArray();
        var zeros = new float[layers * B * H];
        var feeds = new List<NamedOnnxValue> { Int64s("tokens", first, T, B), Floats("h0", zeros, layers, B, H) };
        if (model.Recurrent.Cell.HasCellState) feeds.Add(Floats("c0", zeros, layers, B, H));
        var ort1 = Run(onnx, [.. feeds]);
        var feeds2 = new List<NamedOnnxValue> { Int64s("tokens", second, T, B), Floats("h0", ort1["h_n"].Values, layers, B, H) };
        if (model.Recurrent.Cell.HasCellState) feeds2.Add(Floats("c0", ort1["c_n"].Values, layers, B, H));
        var ort2 = Run(onnx, [.. feeds2]);

        model.ResetState();
        using (new NoGradScope())
        {
            Equal(model.Forward(first, T, B).Reshape(T, B, V), ort1["logits"], "logits of the first chunk");
            Equal(model.Forward(second, T, B).Reshape(T, B, V), ort2["logits"], "logits of the second chunk (state carried)");
        }
        model.ResetState();
    }

    private static byte[] OnnxWriter(RecurrentSharp.Formats.Onnx.OnnxModel model) => RecurrentSharp.Formats.Onnx.OnnxWriter.ToArray(model);

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("gru", 2)]
    public void The_sequence_regressor_runs_in_onnx_runtime_as_ours(string cell, int layers)
    {
        var random = new RandomGenerator(9);
        var model = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 3, HiddenSize: 10, InputSize: 2, Cell: cell, Layers: layers), random);
        model.Eval();
        CheckRegressor(model, OnnxWriter(OnnxExporter.Export(model)), random);
    }

    internal static void CheckRegressor(SequenceRegressor model, byte[] onnx, RandomGenerator random)
    {
        var windows = Tensor.RandomNormal(random, 0f, 1f, 4, 12, model.Config.InputSize);
        Tensor predictions;
        using (new NoGradScope()) predictions = model.Forward(windows);
        Equal(predictions, Run(onnx, Floats("input", windows))["predictions"], "predictions");
    }

    [Theory]
    [InlineData("lstm", false, 1)]
    [InlineData("gru", true, 2)]
    public void Seq2seq_exports_as_an_encoder_and_a_decoder_step_that_greedy_decode_as_ours(string cell, bool bidirectional, int layers)
    {
        var random = new RandomGenerator(13);
        var model = new Seq2Seq(12, 14, 6, 5, CellSpec.Parse(cell), layers, bidirectional, random: random);
        model.Eval();
        var exported = OnnxExporter.Export(model);
        CheckSeq2Seq(model, OnnxWriter(exported.Encoder), OnnxWriter(exported.DecoderStep), random);
    }

    internal static void CheckSeq2Seq(Seq2Seq model, byte[] encoder, byte[] decoder, RandomGenerator random)
    {
        var source = RandomTokens(random, model.SourceEmbedding.Count, [6, 3, 5]);
        bool lstm = model.Cell.HasCellState;

        var state = Run(encoder, Int64s("tokens", source.Ids, source.Batch, source.Steps), Int32s("lengths", source.Lengths));
        using (new NoGradScope())
        {
            var (h, c) = model.Encode(source);
            Equal(h, state["h"], "encoder h");
            if (c is not null) Equal(c, state["c"], "encoder c");
        }

        // greedy decoding through the ONNX decoder step, as Seq2Seq.GreedyDecode does it
        int maxLength = 7, V = model.Projection.OutFeatures;
        var expected = model.GreedyDecode(source, maxLength);
        var tokens = Enumerable.Repeat(model.BeginId, source.Batch).ToArray();
        var decoded = Enumerable.Range(0, source.Batch).Select(_ => new List<int>()).ToArray();
        var done = new bool[source.Batch];
        var (hv, cv) = (state["h"], lstm ? state["c"] : default);
        for (int step = 0; step < maxLength && !done.All(d => d); step++)
        {
            var feeds = new List<NamedOnnxValue> { Int64s("token", tokens, source.Batch), Floats("h", hv.Values, hv.Shape) };
            if (lstm) feeds.Add(Floats("c", cv.Values, cv.Shape));
            var o = Run(decoder, [.. feeds]);
            for (int b = 0; b < source.Batch; b++)
            {
                var row = o["logits"].Values.AsSpan(b * V, V);
                int best = 0;
                for (int v = 1; v < V; v++) if (row[v] > row[best]) best = v;
                tokens[b] = best;
                if (done[b]) continue;
                if (best == model.EndId) done[b] = true;
                else decoded[b].Add(best);
            }
            hv = o["h_n"];
            if (lstm) cv = o["c_n"];
        }
        for (int b = 0; b < source.Batch; b++) Assert.Equal(expected[b], decoded[b]);
    }

    [Fact]
    public void Layers_without_an_onnx_operator_are_refused_by_name()
    {
        var jordan = new SequenceClassifier(new SequenceClassifierConfig(Classes: 2, HiddenSize: 4, Cell: "jordan", InputSize: 3));
        var e = Assert.Throws<OnnxUnsupportedException>(() => OnnxExporter.Export(jordan));
        Assert.Contains("SequenceClassifier: cannot export JordanRnn to ONNX", e.Message);
        var stacked = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 1, HiddenSize: 4, Cell: "jordan", Layers: 2));
        Assert.Contains("cannot export StackedRnn(JordanRnn, JordanRnn)", Assert.Throws<OnnxUnsupportedException>(() => OnnxExporter.Export(stacked)).Message);
        var pyramid = new PyramidalRnn(CellSpec.Parse("lstm"), 3, 4, 2);
        Assert.Contains("cannot export PyramidalRnn", Assert.Throws<OnnxUnsupportedException>(() => OnnxExporter.Export(pyramid)).Message);
        var seq2seq = new Seq2Seq(5, 5, 3, 4);
        Assert.Contains("exports as two graphs", Assert.Throws<OnnxUnsupportedException>(() => OnnxExporter.Export((RecurrentSharp.Nn.Module)seq2seq)).Message);
    }
}
