namespace RecurrentSharp.Data;

/// <summary>
/// Thrown when a dataset file is not where it was looked for and could not be downloaded. The message
/// says which file to place where (and its expected sha256 when known).
/// </summary>
public sealed class DatasetMissingException : RecurrentSharpException
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public DatasetMissingException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the low-level cause (e.g. the failed download).</summary>
    public DatasetMissingException(string message, Exception inner) : base(message, inner) { }
}
