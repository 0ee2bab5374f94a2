using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>The shapes demo: each pattern's stages have the shapes the pattern defines.</summary>
public class ShapesDemoTests
{
    private const int B = ShapesDemo.Batch, I = ShapesDemo.InputSize, H = ShapesDemo.HiddenSize, O = ShapesDemo.OutputSize,
        T = ShapesDemo.Steps, U = ShapesDemo.OutputSteps;

    [Fact]
    public void Every_pattern_has_its_shapes()
    {
        var result = ShapesDemo.Run();
        Assert.Equal(["one-to-one", "one-to-many", "many-to-one", "many-to-many (same length)", "many-to-many (different lengths)"],
            result.Patterns.Select(p => p.Pattern));
        int[][][] expected =
        [
            [[1, B, I], [1, B, H], [B, H], [B, O]],
            [[B, I], [B, H], [B, H], [B, O], [U, B, O]],
            [[T, B, I], [T, B, H], [1, B, H], [B, H], [B, O]],
            [[T, B, I], [T, B, H], [T, B, O]],
            [[T, B, I], [1, B, H], [U, B, O], [U, B, H], [U, B, O]],
        ];
        for (int p = 0; p < expected.Length; p++)
            Assert.Equal(expected[p], result.Patterns[p].Stages.Select(s => s.Shape));
    }

    [Fact]
    public void The_table_shows_the_shapes_as_tuples()
    {
        var table = ShapesDemo.Run().Tables[2];
        Assert.Equal("many-to-one", table.Title);
        Assert.Contains("sentiment", table.Caption);
        Assert.Equal($"({B}, {O})", table.Rows[^1][1].Text);
    }
}
