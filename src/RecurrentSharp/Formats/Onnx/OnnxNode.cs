namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// One operator application (NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7).
/// An empty input name stands for an optional input left out.
/// </summary>
public sealed class OnnxNode
{
    /// <summary>The operator, e.g. "LSTM" or "Gemm".</summary>
    public string OpType { get; set; } = "";

    /// <summary>The node's own name (informative).</summary>
    public string Name { get; set; } = "";

    /// <summary>The operator domain; "" is the default ONNX domain.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The names of the values read, in the operator's order ("" = optional input absent).</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>The names of the values produced.</summary>
    public List<string> Outputs { get; } = [];

    /// <summary>The operator's attributes.</summary>
    public List<OnnxAttribute> Attributes { get; } = [];

    /// <summary>The attribute of that name, or null.</summary>
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    /// <summary>The input at <paramref name="index"/>, or "" when the node has fewer inputs.</summary>
    public string InputAt(int index) => index < Inputs.Count ? Inputs[index] : "";
}
