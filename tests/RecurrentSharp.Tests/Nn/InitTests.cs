using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Nn;

public class InitTests
{
    [Theory]
    [InlineData(8, 8)]
    [InlineData(12, 5)]
    [InlineData(5, 12)]
    public void Orthogonal_gives_orthonormal_rows_or_columns(int rows, int cols)
    {
        var w = Tensor.Zeros(rows, cols);
        Init.Orthogonal(w, new RandomGenerator(1), gain: 1f);
        // The smaller side is orthonormal: WᵀW = I (tall) or WWᵀ = I (wide).
        var gram = rows >= cols ? Tensor.MatMul(w, w, transposeA: true) : Tensor.MatMul(w, w, transposeB: true);
        int n = Math.Min(rows, cols);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(i == j ? 1f : 0f, gram[i, j], 4);
    }

    [Fact]
    public void Uniform_initializers_respect_their_bounds()
    {
        var r = new RandomGenerator(2);
        var w = Tensor.Zeros(30, 20);
        Init.XavierUniform(w, r);
        float a = MathF.Sqrt(6f / 50f);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -a, a));
        Assert.True(w.ToArray().Max() > 0.9f * a);
        Init.RecurrentDefault(w, r, hiddenSize: 16);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f));
        Init.KaimingUniform(w, r);
        float k = MathF.Sqrt(2f) * MathF.Sqrt(3f / 20f);
        Assert.All(w.ToArray(), v => Assert.InRange(v, -k, k));
    }

    [Fact]
    public void Normal_initializers_have_the_expected_spread()
    {
        var r = new RandomGenerator(3);
        var w = Tensor.Zeros(400, 100);
        Init.XavierNormal(w, r);
        Assert.InRange(Std(w), 0.95 * Math.Sqrt(2.0 / 500), 1.05 * Math.Sqrt(2.0 / 500));
        Init.KaimingNormal(w, r);
        Assert.InRange(Std(w), 0.95 * Math.Sqrt(2.0 / 100), 1.05 * Math.Sqrt(2.0 / 100));
        Init.Constant(w, 0.5f);
        Assert.All(w.ToArray(), v => Assert.Equal(0.5f, v));
        Init.Zeros(w);
        Assert.All(w.ToArray(), v => Assert.Equal(0f, v));
    }

    private static double Std(Tensor t)
    {
        var d = t.ToArray();
        double mean = d.Average();
        return Math.Sqrt(d.Select(v => (v - mean) * (v - mean)).Average());
    }
}
