using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests;

/// <summary>Assertions on tensors with tolerances scaled to the reference's magnitude.</summary>
internal static class TensorAssert
{
    /// <summary>max|actual - expected| &lt;= tolerance * max(1, max|expected|).</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            if (err > maxErr) { maxErr = err; worst = i; }
        }
        double bound = tolerance * Math.Max(1, maxRef);
        Assert.True(maxErr <= bound,
            $"{what}: max error {maxErr:G4} > {bound:G4} at element {worst} (expected {(worst >= 0 ? expected[worst] : 0)}, got {(worst >= 0 ? actual[worst] : 0)})");
    }

    public static void Close(Tensor expected, Tensor actual, double tolerance, string what = "")
    {
        Assert.True(TensorShape.SameAs(expected.Shape, actual.Shape),
            $"{what}: shape {TensorShape.Format(actual.Shape)}, expected {TensorShape.Format(expected.Shape)}");
        Close(expected.Data, actual.Data, tolerance, what);
    }

    public static void Values(float[] expected, Tensor actual, double tolerance = 1e-6) => Close(expected, actual.Data, tolerance);
}
