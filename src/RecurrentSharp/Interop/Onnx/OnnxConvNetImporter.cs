using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Kernels;
using RecurrentSharp.Models.Vision;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Reads an ONNX image classifier or featurizer of plain convolutional layers — ResNet-18 as CNTK wrote it for
/// ML.NET's DnnImageFeaturizer, or as torchvision exports it — into a <see cref="FrozenConvNet"/>: Conv (any
/// stride, per-side pads, group 1, dilation 1) with the BatchNormalization after it folded into its weights,
/// Relu (fused into the Conv or Add before it when nothing else reads that value), MaxPool, Add (residual),
/// AveragePool over the whole image or GlobalAveragePool, Flatten/Reshape to a vector, and Gemm (the
/// classifier). The graph is interpreted node by node in its order; any other operator or attribute is an
/// <see cref="OnnxUnsupportedException"/> naming it. The input must be one image, (1, C, H, W) with fixed sizes.
/// </summary>
public static class OnnxConvNetImporter
{
    /// <summary>Reads and imports an .onnx file.</summary>
    public static FrozenConvNet Import(string path) => Import(OnnxReader.Read(path), path);

    /// <summary>Imports a model read by <see cref="OnnxReader"/>; <paramref name="source"/> names it in errors.</summary>
    public static FrozenConvNet Import(OnnxModel model, string source)
    {
        var graph = model.Graph;
        var constants = graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var inputs = graph.Inputs.Where(i => !constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Shape is not { Count: 4 } dims || dims.Any(d => d.Value is null) || dims[0].Value != 1)
            throw new OnnxUnsupportedException($"{source}: the graph must take one image input of fixed shape (1, C, H, W).");
        if (graph.Outputs.Count != 1) throw new OnnxUnsupportedException($"{source}: the graph must have one output, it has {graph.Outputs.Count}.");

        var shapes = new List<ImageShape> { new((int)dims[2].Value!, (int)dims[3].Value!, (int)dims[1].Value!) };
        var index = new Dictionary<string, int>(StringComparer.Ordinal) { [inputs[0].Name] = 0 };
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs) readers[input] = readers.GetValueOrDefault(input) + 1;
        foreach (var output in graph.Outputs) readers[output.Name] = readers.GetValueOrDefault(output.Name) + 1;
        var steps = new List<FrozenConvNetStep>();
        int? grid = null;
        var nodes = graph.Nodes;
        var skipped = new HashSet<int>();

        // The node at i + 1 when it is the only reader of value `name` and has the given operator, else null.
        OnnxNode? OnlyReader(int i, string name, string op) =>
            i + 1 < nodes.Count && nodes[i + 1].OpType == op && readers.GetValueOrDefault(name) == 1 && nodes[i + 1].InputAt(0) == name ? nodes[i + 1] : null;
        int Value(string name, OnnxNode node) => index.TryGetValue(name, out int v) ? v
            : throw new OnnxUnsupportedException($"{source}: node '{node.Name}' ({node.OpType}) reads '{name}', which is not an image value of the graph.");
        int Define(string name, ImageShape shape)
        {
            shapes.Add(shape);
            return index[name] = shapes.Count - 1;
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            if (skipped.Contains(i)) continue;
            var node = nodes[i];
            if (node.Domain is not ("" or "ai.onnx"))
                throw new OnnxUnsupportedException($"{source}: node '{node.Name}' is {node.Domain}.{node.OpType}, an operator the convolutional importer does not read.");
            switch (node.OpType)
            {
                case "Conv":
                {
                    int input = Value(node.InputAt(0), node);
                    var (weight, bias, kh, kw) = ConvWeights(node, constants, source);
                    var (stride, top, left, bottom, right) = Window(node, source, withDilation: true);
                    var inShape = shapes[input];
                    int outChannels = bias.Length;
                    if (weight.Length != outChannels * inShape.Channels * kh * kw)
                        throw new OnnxUnsupportedException($"{source}: Conv '{node.Name}' has a kernel for {weight.Length / (outChannels * kh * kw)} input channels, its input has {inShape.Channels} (grouped convolutions are not read).");
                    string output = node.Outputs[0];
                    if (OnlyReader(i, output, "BatchNormalization") is { } norm)
                    {
                        Fold(norm, constants, weight, bias, kh * kw * inShape.Channels, source);
                        skipped.Add(i + 1);
                        output = norm.Outputs[0];
                    }
                    int after = skipped.Contains(i + 1) ? i + 1 : i;
                    bool relu = false;
                    if (OnlyReader(after, output, "Relu") is { } activation)
                    {
                        skipped.Add(after + 1);
                        output = activation.Outputs[0];
                        relu = true;
                    }
                    var outShape = new ImageShape(ImageRows.OutputSize(inShape.Height, kh, stride, top, bottom), ImageRows.OutputSize(inShape.Width, kw, stride, left, right), outChannels);
                    CheckPositive(outShape, node, source);
                    var kernel = Gemm.PackB(false, kh * kw * inShape.Channels, outChannels, ChannelsLastKernel(weight, outChannels, inShape.Channels, kh, kw), outChannels);
                    steps.Add(new ConvolutionStep(input, Define(output, outShape), kernel, bias, kh, kw, stride, top, left, relu));
                    break;
                }
                case "MaxPool":
                {
                    int input = Value(node.InputAt(0), node);
                    if (Int(node, "ceil_mode", 0) != 0) throw new OnnxUnsupportedException($"{source}: MaxPool '{node.Name}' uses ceil_mode = 1, which is not read.");
                    if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0) throw new OnnxUnsupportedException($"{source}: MaxPool '{node.Name}' asks for the indices output, which is not read.");
                    var (kh, kw) = KernelShape(node, source);
                    var (stride, top, left, bottom, right) = Window(node, source, withDilation: true);
                    var inShape = shapes[input];
                    var outShape = new ImageShape(ImageRows.OutputSize(inShape.Height, kh, stride, top, bottom), ImageRows.OutputSize(inShape.Width, kw, stride, left, right), inShape.Channels);
                    CheckPositive(outShape, node, source);
                    steps.Add(new MaxPoolStep(input, Define(node.Outputs[0], outShape), kh, kw, stride, top, left));
                    break;
                }
                case "Add":
                {
                    int a = Value(node.InputAt(0), node), b = Value(node.InputAt(1), node);
                    if (shapes[a] != shapes[b]) throw new OnnxUnsupportedException($"{source}: Add '{node.Name}' adds {shapes[a]} and {shapes[b]}; only equal shapes are read.");
                    string output = node.Outputs[0];
                    bool relu = false;
                    if (OnlyReader(i, output, "Relu") is { } activation)
                    {
                        skipped.Add(i + 1);
                        output = activation.Outputs[0];
                        relu = true;
                    }
                    steps.Add(new AddStep(a, b, Define(output, shapes[a]), relu));
                    break;
                }
                case "Relu":
                {
                    int input = Value(node.InputAt(0), node);
                    steps.Add(new ReluStep(input, Define(node.Outputs[0], shapes[input])));
                    break;
                }
                case "GlobalAveragePool":
                case "AveragePool":
                {
                    int input = Value(node.InputAt(0), node);
                    var inShape = shapes[input];
                    if (node.OpType == "AveragePool")
                    {
                        var (kh, kw) = KernelShape(node, source);
                        var (_, top, left, bottom, right) = Window(node, source, withDilation: false);
                        if (kh != inShape.Height || kw != inShape.Width || top + left + bottom + right != 0)
                            throw new OnnxUnsupportedException($"{source}: AveragePool '{node.Name}' pools {kh}x{kw} windows of a {inShape} value; only a pool over the whole image is read.");
                    }
                    grid = input;
                    steps.Add(new GlobalAveragePoolStep(input, Define(node.Outputs[0], new ImageShape(1, 1, inShape.Channels))));
                    break;
                }
                case "Flatten":
                case "Reshape":
                {
                    int input = Value(node.InputAt(0), node);
                    if (shapes[input].Positions != 1) throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' reshapes a {shapes[input]} value; only a 1x1 value becomes a vector.");
                    index[node.Outputs[0]] = input;   // a 1 x 1 x C value is already a vector
                    break;
                }
                case "Gemm":
                {
                    int input = Value(node.InputAt(0), node);
                    if (Int(node, "transA", 0) != 0 || Float(node, "alpha", 1f) != 1f || Float(node, "beta", 1f) != 1f)
                        throw new OnnxUnsupportedException($"{source}: Gemm '{node.Name}' uses transA, alpha or beta; only x·Wᵀ + b (or x·W + b) is read.");
                    var w = Constant(constants, node.InputAt(1), node, source);
                    bool transB = Int(node, "transB", 0) != 0;
                    int inSize = shapes[input].Channels;
                    if (w.Dims.Length != 2 || w.Dims[transB ? 1 : 0] != inSize)
                        throw new OnnxUnsupportedException($"{source}: Gemm '{node.Name}' has a weight of shape ({string.Join(", ", w.Dims)}) for an input of {inSize}.");
                    int outSize = (int)w.Dims[transB ? 0 : 1];
                    var bias = node.InputAt(2).Length > 0 ? Constant(constants, node.InputAt(2), node, source).ToFloats() : new float[outSize];
                    if (bias.Length != outSize) throw new OnnxUnsupportedException($"{source}: Gemm '{node.Name}' has {bias.Length} biases for {outSize} outputs.");
                    var packed = Gemm.PackB(transB, inSize, outSize, w.ToFloats(), transB ? inSize : outSize);
                    steps.Add(new FullyConnectedStep(input, Define(node.Outputs[0], new ImageShape(1, 1, outSize)), packed, bias));
                    break;
                }
                default:
                    throw new OnnxUnsupportedException($"{source}: node '{node.Name}' is {node.OpType}, which the convolutional importer does not read " +
                        "(it reads Conv, BatchNormalization after Conv, Relu, MaxPool, Add, AveragePool over the whole image, GlobalAveragePool, Flatten, Reshape, Gemm).");
            }
        }
        int outputValue = index.TryGetValue(graph.Outputs[0].Name, out int o) ? o
            : throw new OnnxUnsupportedException($"{source}: the graph output '{graph.Outputs[0].Name}' is not computed by the nodes read.");
        return new FrozenConvNet(shapes, steps, outputValue, grid);
    }

    private static (float[] Weight, float[] Bias, int KernelH, int KernelW) ConvWeights(OnnxNode node, Dictionary<string, OnnxTensor> constants, string source)
    {
        if (Int(node, "group", 1) != 1) throw new OnnxUnsupportedException($"{source}: Conv '{node.Name}' is grouped (group = {Int(node, "group", 1)}), which is not read.");
        var w = Constant(constants, node.InputAt(1), node, source);
        if (w.Dims.Length != 4) throw new OnnxUnsupportedException($"{source}: Conv '{node.Name}' has a {w.Dims.Length}-D kernel; only 2-D convolutions are read.");
        var (kh, kw) = KernelShape(node, source, (int)w.Dims[2], (int)w.Dims[3]);
        var bias = node.InputAt(2).Length > 0 ? Constant(constants, node.InputAt(2), node, source).ToFloats() : new float[w.Dims[0]];
        if (bias.Length != w.Dims[0]) throw new OnnxUnsupportedException($"{source}: Conv '{node.Name}' has {bias.Length} biases for {w.Dims[0]} filters.");
        return (w.ToFloats(), bias, kh, kw);
    }

    /// <summary>Folds y = γ(x − μ)/√(σ² + ε) + β into the convolution before it (weights (O, rest), biases O).</summary>
    private static void Fold(OnnxNode norm, Dictionary<string, OnnxTensor> constants, float[] weight, float[] bias, int perFilter, string source)
    {
        if (Int(norm, "training_mode", 0) != 0 || norm.Outputs.Count(o => o.Length > 0) > 1)
            throw new OnnxUnsupportedException($"{source}: BatchNormalization '{norm.Name}' is in training mode; only inference graphs are read.");
        if (norm.Attribute("spatial") is { } spatial && spatial.Int != 1)
            throw new OnnxUnsupportedException($"{source}: BatchNormalization '{norm.Name}' has spatial = 0 (per-position statistics), which is not read.");
        float epsilon = Float(norm, "epsilon", 1e-5f);
        var parts = Enumerable.Range(1, 4).Select(k => Constant(constants, norm.InputAt(k), norm, source).ToFloats()).ToArray();
        var (gamma, beta, mean, variance) = (parts[0], parts[1], parts[2], parts[3]);
        if (parts.Any(p => p.Length != bias.Length))
            throw new OnnxUnsupportedException($"{source}: BatchNormalization '{norm.Name}' has statistics for {gamma.Length} channels, the convolution before it makes {bias.Length}.");
        for (int o = 0; o < bias.Length; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + (double)epsilon);
            for (int j = 0; j < perFilter; j++) weight[o * perFilter + j] = (float)(weight[o * perFilter + j] * scale);
            bias[o] = (float)(beta[o] + (bias[o] - mean[o]) * scale);
        }
    }

    /// <summary>(O, C, KH, KW) → (KH·KW·C) x O, the order of <see cref="ImageRows"/>' patches.</summary>
    private static float[] ChannelsLastKernel(float[] weight, int outChannels, int inChannels, int kh, int kw)
    {
        var result = new float[weight.Length];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
                for (int ki = 0; ki < kh; ki++)
                    for (int kj = 0; kj < kw; kj++)
                        result[((ki * kw + kj) * inChannels + c) * outChannels + o] = weight[((o * inChannels + c) * kh + ki) * kw + kj];
        return result;
    }

    private static (int H, int W) KernelShape(OnnxNode node, string source, int fallbackH = -1, int fallbackW = -1)
    {
        var shape = node.Attribute("kernel_shape")?.Ints;
        if (shape is null || shape.Count == 0)
        {
            if (fallbackH > 0) return (fallbackH, fallbackW);
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' has no kernel_shape.");
        }
        if (shape.Count != 2 || shape[0] < 1 || shape[1] < 1 || (fallbackH > 0 && (shape[0] != fallbackH || shape[1] != fallbackW)))
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' has kernel_shape [{string.Join(", ", shape)}]; a 2-D kernel matching the weights is expected.");
        return ((int)shape[0], (int)shape[1]);
    }

    /// <summary>The stride (equal on both axes) and the pads (top, left, bottom, right) of a window operator.</summary>
    private static (int Stride, int Top, int Left, int Bottom, int Right) Window(OnnxNode node, string source, bool withDilation)
    {
        string autoPad = node.Attribute("auto_pad")?.String ?? "NOTSET";
        if (autoPad is not ("NOTSET" or "VALID" or ""))
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' uses auto_pad = {autoPad}; give explicit pads.");
        var strides = node.Attribute("strides")?.Ints ?? [];
        if (strides.Count is not (0 or 2) || (strides.Count == 2 && (strides[0] != strides[1] || strides[0] < 1)))
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' has strides [{string.Join(", ", strides)}]; one stride for both axes is read.");
        if (withDilation && node.Attribute("dilations")?.Ints is { } dilations && dilations.Any(d => d != 1))
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' is dilated; only dilation 1 is read.");
        var pads = node.Attribute("pads")?.Ints ?? [];
        if (pads.Count is not (0 or 4) || pads.Any(p => p < 0 || p > 64))
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' has pads [{string.Join(", ", pads)}]; four pads of 0..64 are read.");
        int stride = strides.Count == 2 ? (int)strides[0] : 1;
        return pads.Count == 4 ? (stride, (int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]) : (stride, 0, 0, 0, 0);
    }

    private static void CheckPositive(ImageShape shape, OnnxNode node, string source)
    {
        if (shape.Height < 1 || shape.Width < 1)
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' would make an empty image ({shape}).");
    }

    private static OnnxTensor Constant(Dictionary<string, OnnxTensor> constants, string name, OnnxNode node, string source) =>
        constants.TryGetValue(name, out var t) && t.DataType == OnnxDataType.Float ? t
            : throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' reads '{name}', which is not a float initializer.");

    private static long Int(OnnxNode node, string name, long fallback) => node.Attribute(name)?.Int ?? fallback;

    private static float Float(OnnxNode node, string name, float fallback) => node.Attribute(name)?.Float ?? fallback;
}
