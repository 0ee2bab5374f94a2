namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Thrown when a model holds a layer with no ONNX counterpart (export), or an ONNX graph uses operators or
/// attributes the importer does not map onto RecurrentSharp layers (import). The message names them.
/// </summary>
public sealed class OnnxUnsupportedException : RecurrentSharpException
{
    /// <summary>Creates the exception with a message naming the layers or operators at fault.</summary>
    public OnnxUnsupportedException(string message) : base(message) { }
}
