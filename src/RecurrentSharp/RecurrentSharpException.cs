namespace RecurrentSharp;

/// <summary>The base of every exception RecurrentSharp throws on purpose: bad shapes, bad files, bad data.</summary>
public class RecurrentSharpException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    public RecurrentSharpException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the low-level cause.</summary>
    public RecurrentSharpException(string message, Exception inner) : base(message, inner) { }
}
