namespace RecurrentSharp.Tensors;

/// <summary>
/// Thrown when the shapes given to an operation do not fit together. The message names the operation
/// and the shapes involved, e.g. <c>MatMul: inner sizes differ: (3, 4) x (5, 2)</c>.
/// </summary>
public sealed class TensorShapeException : RecurrentSharpException
{
    /// <summary>Creates the exception for <paramref name="operation"/> with a description of the mismatch.</summary>
    public TensorShapeException(string operation, string problem) : base($"{operation}: {problem}")
    {
        Operation = operation;
    }

    /// <summary>The name of the operation that rejected its inputs.</summary>
    public string Operation { get; }
}
