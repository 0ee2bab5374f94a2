namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// An ONNX model (onnx.proto's <c>ModelProto</c>), reduced to the fields RecurrentSharp reads and writes:
/// the IR version, the producer, the operator sets imported and the main graph. Bytes in and out go through
/// <see cref="OnnxReader"/> and <see cref="OnnxWriter"/>; this type knows nothing of tensors or modules.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>The ONNX IR version (ModelProto.ir_version, field 1); 7 is what PyTorch 1.13 writes for opset 14.</summary>
    public long IrVersion { get; set; } = 7;

    /// <summary>The tool that wrote the model (field 2).</summary>
    public string ProducerName { get; set; } = "";

    /// <summary>Its version (field 3).</summary>
    public string ProducerVersion { get; set; } = "";

    /// <summary>The operator sets the graph uses (field 8); the default domain is the empty string.</summary>
    public List<OnnxOpset> Opsets { get; } = [];

    /// <summary>The main graph (field 7).</summary>
    public OnnxGraph Graph { get; set; } = new();

    /// <summary>The version of the default ("" or "ai.onnx") operator set, or 0 when none is imported.</summary>
    public long DefaultOpsetVersion =>
        Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
}

/// <summary>One imported operator set (OperatorSetIdProto: domain = 1, version = 2).</summary>
/// <param name="Domain">The operator domain; "" is the default ONNX domain.</param>
/// <param name="Version">The operator set version.</param>
public sealed record OnnxOpset(string Domain, long Version);
