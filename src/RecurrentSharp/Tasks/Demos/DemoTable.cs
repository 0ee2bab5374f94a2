namespace RecurrentSharp.Tasks.Demos;

/// <summary>A table of a demo: a title, column headings, and rows of cells (numbers, vectors of numbers or text).</summary>
public sealed record DemoTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<DemoCell>> Rows);
