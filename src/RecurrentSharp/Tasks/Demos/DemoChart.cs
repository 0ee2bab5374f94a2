namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// A line chart of a demo: several named series over the same points, whose x values are given by
/// <paramref name="X"/>; <paramref name="LogScale"/> draws the y axis as log10.
/// </summary>
public sealed record DemoChart(string Title, string XLabel, string YLabel, bool LogScale, IReadOnlyList<double> X,
    IReadOnlyDictionary<string, double[]> Series);
