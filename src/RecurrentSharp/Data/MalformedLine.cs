namespace RecurrentSharp.Data;

/// <summary>A line (or record) a reader skipped in lenient mode, with where it was and why.</summary>
/// <param name="FilePath">The file holding the line.</param>
/// <param name="LineNumber">The 1-based line number.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record MalformedLine(string FilePath, int LineNumber, string Reason)
{
    /// <summary>"file, line N: reason", the same wording a strict read would throw.</summary>
    public override string ToString() => DataFormatException.Describe(FilePath, LineNumber, Reason);
}
