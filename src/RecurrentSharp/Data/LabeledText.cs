namespace RecurrentSharp.Data;

/// <summary>A piece of text with a class label, and the line it came from.</summary>
/// <param name="Text">The text, exactly as in the file (decoded, without the line end).</param>
/// <param name="Label">The class index (the reader documents what each index means).</param>
/// <param name="LineNumber">The 1-based line in the source file.</param>
public sealed record LabeledText(string Text, int Label, int LineNumber);
