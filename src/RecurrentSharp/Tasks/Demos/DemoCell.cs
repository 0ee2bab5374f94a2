namespace RecurrentSharp.Tasks.Demos;

/// <summary>One cell of a <see cref="DemoTable"/>: text, or one or more numbers (a vector) that the renderer formats.</summary>
public sealed record DemoCell(string? Text, IReadOnlyList<double>? Numbers)
{
    /// <summary>A text cell.</summary>
    public static implicit operator DemoCell(string text) => new(text, null);

    /// <summary>A number.</summary>
    public static implicit operator DemoCell(double value) => new(null, [value]);

    /// <summary>A vector of numbers, shown as [a, b, ...].</summary>
    public static DemoCell Vector(IEnumerable<float> values) => new(null, values.Select(v => (double)v).ToArray());

    /// <summary>A tensor shape, shown as (d0, d1, ...).</summary>
    public static DemoCell Shape(IEnumerable<int> shape) => new("(" + string.Join(", ", shape) + ")", null);
}
