namespace RecurrentSharp;

/// <summary>
/// Thrown when a dataset file does not have the format its reader expects: a malformed line, a bad
/// number, a wrong magic number or a file too short for its header. The message names the file and,
/// for text files, the 1-based line number.
/// </summary>
public sealed class DataFormatException : RecurrentSharpException
{
    /// <summary>Creates the exception for a problem at <paramref name="lineNumber"/> (1-based; null when the file has no lines, e.g. a binary file).</summary>
    public DataFormatException(string filePath, int? lineNumber, string reason)
        : base(Describe(filePath, lineNumber, reason))
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>Creates the exception wrapping the low-level cause (e.g. a JSON parser error).</summary>
    public DataFormatException(string filePath, int? lineNumber, string reason, Exception inner)
        : base(Describe(filePath, lineNumber, reason), inner)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Reason = reason;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line at fault, or null when the problem is not tied to a line.</summary>
    public int? LineNumber { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>"file, line N: reason" (or "file: reason" without a line).</summary>
    internal static string Describe(string filePath, int? lineNumber, string reason) =>
        lineNumber is int line ? $"{filePath}, line {line}: {reason}" : $"{filePath}: {reason}";
}
