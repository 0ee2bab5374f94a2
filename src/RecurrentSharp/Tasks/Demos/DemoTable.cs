namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// A table of a demo: a title, column headings, rows of cells (numbers, vectors of numbers or text), and an
/// optional caption drawn under it.
/// </summary>
public sealed record DemoTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<DemoCell>> Rows, string? Caption = null);
