namespace RecurrentSharp.Data;

/// <summary>The records a reader parsed from a file, and the malformed lines it skipped (lenient mode).</summary>
/// <typeparam name="T">The record type (one per valid line).</typeparam>
/// <param name="Records">The valid records, in file order.</param>
/// <param name="Skipped">The malformed lines that were skipped; always empty after a strict read (which throws instead).</param>
public sealed record ReadResult<T>(IReadOnlyList<T> Records, IReadOnlyList<MalformedLine> Skipped);
