namespace RecurrentSharp;

/// <summary>Thrown when a model or checkpoint file, or a state dictionary, is malformed or does not fit the model.</summary>
public sealed class ModelFormatException : RecurrentSharpException
{
    /// <summary>Creates the exception with a message naming the file or tensor at fault.</summary>
    public ModelFormatException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the low-level cause.</summary>
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
