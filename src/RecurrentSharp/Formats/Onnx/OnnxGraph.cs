namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// A computation graph (GraphProto): nodes in topological order, constant tensors (initializers), and the
/// typed graph inputs and outputs. Field numbers: node 1, name 2, initializer 5, input 11, output 12.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>The graph's name (field 2).</summary>
    public string Name { get; set; } = "";

    /// <summary>The nodes, each using only names defined before it (field 1).</summary>
    public List<OnnxNode> Nodes { get; } = [];

    /// <summary>Named constant tensors: the weights (field 5).</summary>
    public List<OnnxTensor> Initializers { get; } = [];

    /// <summary>The graph inputs (field 11).</summary>
    public List<OnnxValueInfo> Inputs { get; } = [];

    /// <summary>The graph outputs (field 12).</summary>
    public List<OnnxValueInfo> Outputs { get; } = [];
}
