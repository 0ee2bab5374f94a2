using RecurrentSharp.Formats.Onnx;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Builds an ONNX graph node by node: fresh value names, weights as float32 initializers, small int64 constants
/// as initializers, typed graph inputs and outputs with the dynamic axes named "batch" and "seq".
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private int counter;

    public OnnxGraphBuilder(string graphName)
    {
        Model = new OnnxModel { ProducerName = "RecurrentSharp", ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString(3) ?? "" };
        Model.Opsets.Add(new OnnxOpset("", OnnxExporter.OpsetVersion));
        Model.Graph.Name = graphName;
    }

    public OnnxModel Model { get; }

    private OnnxGraph Graph => Model.Graph;

    /// <summary>A value name not used yet, from a readable hint.</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        while (!names.Add(name)) name = $"{hint}_{++counter}";
        return name;
    }

    /// <summary>A graph input; dims are sizes, or "batch"/"seq" for dynamic axes.</summary>
    public string Input(string name, OnnxDataType type, params object[] dims)
    {
        names.Add(name);
        Graph.Inputs.Add(new OnnxValueInfo(name, type, Dims(dims)));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output named <paramref name="name"/> (through Identity when the names differ).</summary>
    public void Output(string name, string value, OnnxDataType type, params object[] dims)
    {
        if (value != name) Node("Identity", [value], output: name);
        Graph.Outputs.Add(new OnnxValueInfo(name, type, Dims(dims)));
    }

    private static List<OnnxDimension> Dims(object[] dims) =>
        dims.Select(d => d is string s ? OnnxDimension.Named(s) : OnnxDimension.Of(Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>A float32 weight under its own (PyTorch) name.</summary>
    public string Weight(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        name = Fresh(name);
        Graph.Initializers.Add(OnnxTensor.FromFloats(name, values, dims));
        return name;
    }

    /// <summary>An int64 constant (axes, shapes, slice bounds); a scalar when <paramref name="scalar"/>.</summary>
    public string Int64s(string hint, long[] values, bool scalar = false)
    {
        string name = Fresh(hint);
        Graph.Initializers.Add(OnnxTensor.FromInt64s(name, values, scalar ? [] : [values.Length]));
        return name;
    }

    /// <summary>A float32 scalar constant.</summary>
    public string Scalar(string hint, float value)
    {
        string name = Fresh(hint);
        Graph.Initializers.Add(OnnxTensor.FromFloats(name, [value]));
        return name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string op, string[] inputs, OnnxAttribute[]? attributes = null, string? output = null) =>
        Node(op, inputs, 1, attributes, output is null ? null : [output])[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs (named from the op unless given).</summary>
    public string[] Node(string op, string[] inputs, int outputs, OnnxAttribute[]? attributes = null, string[]? outputNames = null)
    {
        var node = new OnnxNode { OpType = op, Name = Fresh(op + "_node") };
        node.Inputs.AddRange(inputs);
        for (int i = 0; i < outputs; i++)
        {
            string name = outputNames?[i] is { } given ? given : Fresh(op.ToLowerInvariant() + "_out");
            names.Add(name);
            node.Outputs.Add(name);
        }
        if (attributes is not null) node.Attributes.AddRange(attributes);
        Graph.Nodes.Add(node);
        return [.. node.Outputs];
    }

    // Frequent shape operations.

    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], [OnnxAttribute.OfInts("perm", perm)]);

    public string Squeeze(string x, params long[] axes) => Node("Squeeze", [x, Int64s("axes", axes)]);

    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Int64s("axes", axes)]);

    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64s("shape", shape)]);

    public string Cast(string x, OnnxDataType to) => Node("Cast", [x], [OnnxAttribute.OfInt("to", (long)to)]);
}
