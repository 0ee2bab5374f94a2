using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Reads ONNX graphs of recurrent networks into RecurrentSharp layers: the graphs torch.onnx.export writes for
/// nn.RNN / nn.LSTM / nn.GRU (any layers, bidirectional, batch-first, with or without initial states) and for
/// an embedding → recurrent → last step → linear [→ softmax] classifier, and the recurrent graphs
/// <see cref="OnnxExporter"/> writes (sequence_lens, peepholes, coupled gates, Cho's GRU, the identity Elman cell).
/// The graph is recognised, not interpreted: one RNN / LSTM / GRU node per layer, chained through the shape
/// operators torch writes; weights come from initializers or Constant nodes, with the gate blocks put back into
/// PyTorch's order. Anything else (another operator, an activation or attribute without a counterpart, a
/// structure that is not a plain stack) is an <see cref="OnnxUnsupportedException"/> that names it.
/// </summary>
public static class OnnxImporter
{
    private static readonly HashSet<string> Supported =
        ["LSTM", "GRU", "RNN", "Constant", "ConstantOfShape", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Expand",
         "Slice", "Transpose", "Reshape", "Gemm", "Softmax", "Identity"];

    private static readonly HashSet<string> ShapeOps = ["Squeeze", "Unsqueeze", "Transpose", "Reshape", "Identity"];

    /// <summary>Reads and imports an .onnx file.</summary>
    public static OnnxImportedModel Import(string path) => Import(OnnxReader.Read(path), path);

    /// <summary>Imports a model read by <see cref="OnnxReader"/>; <paramref name="source"/> names it in errors.</summary>
    public static OnnxImportedModel Import(OnnxModel model, string source)
    {
        var graph = model.Graph;
        var unsupported = graph.Nodes.Where(n => n.Domain is not ("" or "ai.onnx") || !Supported.Contains(n.OpType))
            .Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}").Distinct().Order(StringComparer.Ordinal).ToList();
        if (unsupported.Count > 0)
            throw new OnnxUnsupportedException($"{source}: the graph uses operators the ONNX importer does not map onto RecurrentSharp layers: {string.Join(", ", unsupported)} " +
                $"(it reads {string.Join(", ", Supported.Order(StringComparer.Ordinal))}).");
        var g = new GraphIndex(graph, source);
        var rnns = graph.Nodes.Where(n => n.OpType is "LSTM" or "GRU" or "RNN").ToList();
        if (rnns.Count == 0) throw new OnnxUnsupportedException($"{source}: the graph has no LSTM, GRU or RNN node.");
        if (rnns.Select(n => n.OpType).Distinct().Count() > 1)
            throw new OnnxUnsupportedException($"{source}: the graph mixes {string.Join(" and ", rnns.Select(n => n.OpType).Distinct())} nodes; a RecurrentSharp layer stack has one cell type.");

        // The layers: one node each, all of one shape, each reading the previous one's output.
        var first = rnns[0];
        var cell = CellOf(first, source);
        int H = (int)g.Int(first, "hidden_size", -1);
        string direction = g.String(first, "direction", "forward");
        if (direction == "reverse") throw new OnnxUnsupportedException($"{source}: node '{first.Name}' runs in reverse only (direction = reverse), which RecurrentSharp layers do not.");
        int D = direction == "bidirectional" ? 2 : 1;
        bool bias = first.InputAt(3).Length > 0;
        int inputSize = (int)g.Constant(first.InputAt(1), "W").Dims[2];
        if (H <= 0) H = (int)g.Constant(first.InputAt(2), "R").Dims[2];
        for (int k = 1; k < rnns.Count; k++)
        {
            var node = rnns[k];
            if (CellOf(node, source) != cell || g.Int(node, "hidden_size", H) != H || g.String(node, "direction", "forward") != direction || (node.InputAt(3).Length > 0) != bias)
                throw new OnnxUnsupportedException($"{source}: layer {k} ('{node.Name}') differs from layer 0 in cell, hidden size, direction or bias; RecurrentSharp stacks identical layers.");
            if (g.ThroughShapeOps(node.InputAt(0)) != rnns[k - 1].Outputs[0])
                throw new OnnxUnsupportedException($"{source}: layer {k} ('{node.Name}') does not read layer {k - 1}'s output; only plain stacks are imported.");
        }

        // The input: a graph input, perhaps transposed to time-major (batch-first), perhaps embedded by Gather.
        string x = first.InputAt(0);
        bool batchFirst = false;
        if (g.Producer(x) is { OpType: "Transpose" } transpose && g.Ints(transpose, "perm").SequenceEqual([1L, 0, 2]))
        {
            batchFirst = true;
            x = transpose.InputAt(0);
        }
        OnnxNode? embedding = g.Producer(x) is { OpType: "Gather" } gather && g.TryConstant(gather.InputAt(0)) is not null ? gather : null;
        string input = embedding?.InputAt(1) ?? x;
        if (!g.IsGraphInput(input)) throw new OnnxUnsupportedException($"{source}: the first layer's input '{first.InputAt(0)}' does not come from a graph input (through Transpose or an embedding Gather).");

        var layer = RecurrentLayer.Create(cell, embedding is null ? inputSize : (int)g.Constant(embedding.InputAt(0), "embedding").Dims[1], H, rnns.Count, bias,
            batchFirst: batchFirst || embedding is not null, bidirectional: D == 2);
        if (embedding is not null && !batchFirst)
            throw new OnnxUnsupportedException($"{source}: the embedded tokens reach the first layer without the batch-first Transpose; only (batch, time) token inputs are imported.");
        for (int k = 0; k < rnns.Count; k++) LoadWeights(g, rnns[k], layer, k, cell, source);

        string? h0 = InitialState(g, rnns, 5, source);
        string? c0 = cell.HasCellState ? InitialState(g, rnns, 6, source) : null;
        string? lengths = null;
        foreach (var node in rnns)
        {
            string l = node.InputAt(4);
            if (l.Length == 0) continue;
            string root = g.ThroughShapeOps(l);
            if (!g.IsGraphInput(root)) throw new OnnxUnsupportedException($"{source}: sequence_lens of '{node.Name}' is computed in the graph; only a graph input is imported.");
            lengths ??= root;
        }
        var outputs = graph.Outputs.Select(o => o.Name).ToList();
        layer.Eval();
        if (embedding is null) return new OnnxImportedModel(layer, layer, input, h0, c0, lengths, outputs, Softmax: false);
        return ImportClassifier(g, embedding, layer, rnns[^1], input, lengths, outputs, source);
    }

    private static OnnxImportedModel ImportClassifier(GraphIndex g, OnnxNode embedding, RecurrentLayer layer, OnnxNode top, string input, string? lengths,
        List<string> outputs, string source)
    {
        if (outputs.Count != 1) throw new OnnxUnsupportedException($"{source}: a classifier graph has one output, this one {outputs.Count}.");
        // output -> [Softmax] -> Gemm(summary, W, b) where summary = Gather(top output (B, T, F), -1, axis 1)
        var last = g.Producer(outputs[0]) ?? throw new OnnxUnsupportedException($"{source}: the output '{outputs[0]}' is not computed by a node.");
        bool softmax = false;
        if (last.OpType == "Softmax")
        {
            long axis = g.Int(last, "axis", -1);
            if (axis is not (-1 or 1)) throw new OnnxUnsupportedException($"{source}: Softmax over axis {axis}; the classifier's is over its classes.");
            softmax = true;
            last = g.Producer(last.InputAt(0)) ?? throw new OnnxUnsupportedException($"{source}: Softmax reads no node.");
        }
        if (last.OpType != "Gemm") throw new OnnxUnsupportedException($"{source}: the classifier head is {last.OpType}, expected Gemm (a Linear layer).");
        if (g.Int(last, "transA", 0) != 0 || g.Float(last, "alpha", 1f) != 1f || g.Float(last, "beta", 1f) != 1f)
            throw new OnnxUnsupportedException($"{source}: the head Gemm has transA, alpha or beta other than 0, 1, 1.");
        var weight = g.Constant(last.InputAt(1), "head weight");
        bool transB = g.Int(last, "transB", 0) == 1;
        int classes = (int)(transB ? weight.Dims[0] : weight.Dims[1]), features = (int)(transB ? weight.Dims[1] : weight.Dims[0]);
        var summary = g.Producer(last.InputAt(0));
        if (summary is not { OpType: "Gather" } || g.Int(summary, "axis", 0) != 1 || g.Constant(summary.InputAt(1), "index").ToInt64s() is not [-1]
            || g.ThroughShapeOps(summary.InputAt(0)) != top.Outputs[0])
            throw new OnnxUnsupportedException($"{source}: the head does not read the last time step of the top layer (Gather axis 1, index -1).");
        if (layer.Directions == 2)
            throw new OnnxUnsupportedException($"{source}: a bidirectional classifier reading the output's last step (the reverse direction after one step) has no RecurrentSharp pooling.");
        if (lengths is not null) throw new OnnxUnsupportedException($"{source}: a classifier with sequence_lens reads padding at its last step; not imported.");
        var table = g.Constant(embedding.InputAt(0), "embedding");
        var config = new SequenceClassifierConfig(classes, layer.HiddenSize, layer.Cell.Name, layer.NumLayers, false,
            Vocabulary: (int)table.Dims[0], EmbeddingSize: (int)table.Dims[1], Pooling: Pooling.Last);
        var classifier = new SequenceClassifier(config);
        if (features != classifier.Encoder.OutputSize) throw new OnnxUnsupportedException($"{source}: the head reads {features} features, the recurrent layers give {classifier.Encoder.OutputSize}.");
        table.ToFloats().CopyTo(classifier.Embedding!.Weight.Data);
        var w = weight.ToFloats();
        var headWeight = classifier.Head.Weight.Data;
        for (int c = 0; c < classes; c++)
            for (int f = 0; f < features; f++) headWeight[c * features + f] = transB ? w[c * features + f] : w[f * classes + c];
        if (last.InputAt(2).Length > 0) g.Constant(last.InputAt(2), "head bias").ToFloats().CopyTo(classifier.Head.Bias!.Data);
        else classifier.Head.Bias!.Data.Clear();
        var encoder = (RecurrentLayer)classifier.Encoder;
        foreach (var (name, value) in layer.NamedParameters()) value.Data.CopyTo(encoder.NamedParameters().First(p => p.Key == name).Value.Data);
        classifier.Eval();
        return new OnnxImportedModel(classifier, encoder, input, null, null, null, outputs, softmax);
    }

    private static CellSpec CellOf(OnnxNode node, string source)
    {
        var g = node.Attribute("clip");
        if (g is not null) throw new OnnxUnsupportedException($"{source}: node '{node.Name}' clips its cell values (clip), which RecurrentSharp layers do not.");
        var activations = node.Attribute("activations")?.Strings ?? [];
        switch (node.OpType)
        {
            case "LSTM":
                if (activations.Count > 0 && !activations.Chunk(3).All(a => a.SequenceEqual(["Sigmoid", "Tanh", "Tanh"], StringComparer.OrdinalIgnoreCase)))
                    throw new OnnxUnsupportedException($"{source}: LSTM '{node.Name}' has activations {string.Join(", ", activations)}; only Sigmoid, Tanh, Tanh are imported.");
                if (node.Attribute("layout") is { Int: not 0 }) throw new OnnxUnsupportedException($"{source}: LSTM '{node.Name}' uses layout = 1.");
                bool peephole = node.InputAt(7).Length > 0;
                bool coupled = node.Attribute("input_forget") is { Int: not 0 };
                return new CellSpec(CellKind.Lstm, Peephole: peephole, CoupledGates: coupled);
            case "GRU":
                if (activations.Count > 0 && !activations.Chunk(2).All(a => a.SequenceEqual(["Sigmoid", "Tanh"], StringComparer.OrdinalIgnoreCase)))
                    throw new OnnxUnsupportedException($"{source}: GRU '{node.Name}' has activations {string.Join(", ", activations)}; only Sigmoid, Tanh are imported.");
                bool resetAfter = node.Attribute("linear_before_reset") is { Int: not 0 };
                return new CellSpec(CellKind.Gru, Gru: resetAfter ? GruVariant.PyTorch : GruVariant.Cho);
            default:
                var names = activations.Count == 0 ? ["Tanh"] : activations.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (names.Count != 1) throw new OnnxUnsupportedException($"{source}: RNN '{node.Name}' has different activations per direction ({string.Join(", ", activations)}).");
                var alpha = node.Attribute("activation_alpha")?.Floats ?? [];
                var beta = node.Attribute("activation_beta")?.Floats ?? [];
                return names[0].ToLowerInvariant() switch
                {
                    "tanh" => new CellSpec(CellKind.Rnn, Nonlinearity.Tanh),
                    "relu" => new CellSpec(CellKind.Rnn, Nonlinearity.Relu),
                    "affine" when alpha.All(a => a == 1f) && beta.All(b => b == 0f) => new CellSpec(CellKind.Rnn, Nonlinearity.Identity),
                    _ => throw new OnnxUnsupportedException($"{source}: RNN '{node.Name}' uses the activation {names[0]}{(alpha.Count > 0 ? $" (alpha {string.Join(", ", alpha)}, beta {string.Join(", ", beta)})" : "")}; Tanh, Relu and Affine(1, 0) are imported."),
                };
        }
    }

    /// <summary>W, R, B [, P] of one node into layer <paramref name="k"/>, the ONNX gate blocks put back in PyTorch's order.</summary>
    private static void LoadWeights(GraphIndex g, OnnxNode node, RecurrentLayer layer, int k, CellSpec cell, string source)
    {
        int H = layer.HiddenSize, D = layer.Directions;
        var order = OnnxRecurrentNodes.GateOrder(cell);
        int gates = order.Length;
        int input = k == 0 ? layer.InputSize : D * H;
        var w = Expect(g.Constant(node.InputAt(1), "W"), [D, gates * H, input], node, "W", source).ToFloats();
        var r = Expect(g.Constant(node.InputAt(2), "R"), [D, gates * H, H], node, "R", source).ToFloats();
        var b = node.InputAt(3).Length > 0 ? Expect(g.Constant(node.InputAt(3), "B"), [D, 2 * gates * H], node, "B", source).ToFloats() : null;
        var p = cell.Peephole ? Expect(g.Constant(node.InputAt(7), "P"), [D, 3 * H], node, "P", source).ToFloats() : null;
        for (int d = 0; d < D; d++)
        {
            var weights = layer.WeightsOf(k, d);
            for (int j = 0; j < gates; j++)
            {
                if (order[j] < 0) continue;   // the forget block of a coupled LSTM: ONNX computes 1 - i and ignores it
                int ours = order[j];
                w.AsSpan((d * gates + j) * H * input, H * input).CopyTo(weights.InputWeightTensor.Data.Slice(ours * H * input));
                r.AsSpan((d * gates + j) * H * H, H * H).CopyTo(weights.HiddenWeightTensor.Data.Slice(ours * H * H));
                if (b is not null)
                {
                    b.AsSpan((d * 2 * gates + j) * H, H).CopyTo(weights.InputBiasTensor!.Data.Slice(ours * H));
                    b.AsSpan((d * 2 * gates + gates + j) * H, H).CopyTo(weights.HiddenBiasTensor!.Data.Slice(ours * H));
                }
            }
            if (p is not null)
            {
                // ONNX rows i, o, f; ours i, f, o (coupled: i, o)
                int[] rows = cell.CoupledGates ? [0, 1, -1] : [0, 2, 1];
                for (int j = 0; j < 3; j++)
                    if (rows[j] >= 0) p.AsSpan((d * 3 + j) * H, H).CopyTo(weights.PeepholeTensor!.Data.Slice(rows[j] * H));
            }
        }
    }

    private static OnnxTensor Expect(OnnxTensor t, long[] dims, OnnxNode node, string what, string source) =>
        t.Dims.SequenceEqual(dims) && t.DataType == OnnxDataType.Float ? t
            : throw new ModelFormatException($"{source}: {node.OpType} '{node.Name}': {what} is {t.DataType} [{string.Join(", ", t.Dims)}], expected Float [{string.Join(", ", dims)}].");

    /// <summary>
    /// The graph input that initial_h (index 5) or initial_c (6) of every layer slices, or null when all start from
    /// zeros built in the graph (constants of zero, expanded to the batch).
    /// </summary>
    private static string? InitialState(GraphIndex g, List<OnnxNode> rnns, int index, string source)
    {
        string? input = null;
        for (int k = 0; k < rnns.Count; k++)
        {
            string value = rnns[k].InputAt(index);
            if (value.Length == 0) { if (input is not null) throw Mixed(); continue; }
            string root = value;
            if (g.Producer(root) is { OpType: "Slice" } slice)
            {
                var starts = g.Constant(slice.InputAt(1), "starts").ToInt64s();
                var ends = g.Constant(slice.InputAt(2), "ends").ToInt64s();
                int D = g.String(rnns[k], "direction", "forward") == "bidirectional" ? 2 : 1;
                if (starts is not [var s] || ends is not [var e] || s != k * D || e != k * D + D)
                    throw new OnnxUnsupportedException($"{source}: layer {k}'s initial state slices rows {string.Join(",", starts)}..{string.Join(",", ends)}, not its own {k * D}..{k * D + D}.");
                root = slice.InputAt(0);
            }
            if (g.IsGraphInput(root))
            {
                if (k > 0 && input is null || input is not null && input != root) throw Mixed();
                input = root;
            }
            else
            {
                if (input is not null) throw Mixed();
                if (!g.IsZeros(value)) throw new OnnxUnsupportedException($"{source}: layer {k}'s initial state is computed in the graph and not zero; only a graph input or zeros are imported.");
            }
        }
        return input;

        OnnxUnsupportedException Mixed() => new($"{source}: some layers start from a graph input's state and others not; RecurrentSharp takes one initial state for all layers.");
    }

    /// <summary>Lookups over one graph: producers of values, constants (initializers and Constant nodes), attributes.</summary>
    private sealed class GraphIndex
    {
        private readonly Dictionary<string, OnnxNode> producers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxTensor> constants = new(StringComparer.Ordinal);
        private readonly HashSet<string> inputs = new(StringComparer.Ordinal);
        private readonly string source;

        public GraphIndex(OnnxGraph graph, string source)
        {
            this.source = source;
            foreach (var t in graph.Initializers) constants[t.Name] = t;
            foreach (var i in graph.Inputs) if (!constants.ContainsKey(i.Name)) inputs.Add(i.Name);
            foreach (var n in graph.Nodes)
            {
                foreach (var o in n.Outputs) producers[o] = n;
                if (n.OpType == "Constant" && n.Outputs.Count == 1 && n.Attribute("value")?.Tensor is { } value) constants[n.Outputs[0]] = value;
            }
        }

        public OnnxNode? Producer(string value) => producers.GetValueOrDefault(value);

        public bool IsGraphInput(string value) => inputs.Contains(value);

        public OnnxTensor? TryConstant(string value) => constants.GetValueOrDefault(value);

        public OnnxTensor Constant(string value, string what) => value.Length > 0 && constants.TryGetValue(value, out var t) ? t
            : throw new OnnxUnsupportedException($"{source}: {what} ('{value}') is not an initializer or Constant; computed weights are not imported.");

        /// <summary>Follows Squeeze / Unsqueeze / Transpose / Reshape / Identity back to the value they reshape.</summary>
        public string ThroughShapeOps(string value)
        {
            for (int guard = 0; guard < 64 && producers.TryGetValue(value, out var n) && ShapeOps.Contains(n.OpType); guard++) value = n.InputAt(0);
            return value;
        }

        /// <summary>True when the value is built from constants of zero only (Expand, ConstantOfShape, Concat of them; shapes may come from anywhere).</summary>
        public bool IsZeros(string value, int depth = 0)
        {
            if (depth > 32) return false;
            if (constants.TryGetValue(value, out var t)) return t.DataType == OnnxDataType.Float && t.ToFloats().All(v => v == 0f);
            if (!producers.TryGetValue(value, out var n)) return false;
            return n.OpType switch
            {
                "ConstantOfShape" => n.Attribute("value")?.Tensor is not { } fill || fill.DataType == OnnxDataType.Float && fill.ToFloats().All(v => v == 0f),
                "Expand" or "Reshape" or "Squeeze" or "Unsqueeze" or "Transpose" or "Identity" or "Slice" => IsZeros(n.InputAt(0), depth + 1),
                "Concat" => n.Inputs.All(i => IsZeros(i, depth + 1)),
                _ => false,
            };
        }

        public long Int(OnnxNode node, string name, long fallback) => node.Attribute(name) is { } a ? a.Int : fallback;

        public float Float(OnnxNode node, string name, float fallback) => node.Attribute(name) is { } a ? a.Float : fallback;

        public string String(OnnxNode node, string name, string fallback) => node.Attribute(name) is { } a ? a.String : fallback;

        public IReadOnlyList<long> Ints(OnnxNode node, string name) => node.Attribute(name)?.Ints ?? [];
    }
}
