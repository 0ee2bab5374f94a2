using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

[Trait("Category", "Kernels")]
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        int[][] sizes = [[1, 1, 1], [7, 13, 5], [1000, 3, 17], [3, 1000, 17], [33, 65, 129], [64, 48, 300], [1, 1024, 256], [130, 1, 70]];
        foreach (var s in sizes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(s[0], s[1], s[2], ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_matches_a_naive_triple_loop(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var r = new RandomGenerator(m * 31 + n * 7 + k);
        var a = Tensor.RandomNormal(r, 0, 1, m * k).ToArray();
        var b = Tensor.RandomNormal(r, 0, 1, k * n).ToArray();
        var c = Tensor.RandomNormal(r, 0, 1, m * n).ToArray();
        var expected = new float[m * n];
        const float alpha = 0.75f, beta = -0.5f;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
                expected[i * n + j] = (float)(alpha * s + beta * c[i * n + j]);
            }
        Gemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, transposeA ? m : k, b, transposeB ? k : n, beta, c, n);
        TensorAssert.Close(expected, c, 1e-5 * Math.Sqrt(k), $"{m}x{n}x{k} tA={transposeA} tB={transposeB}");
    }

    [Fact]
    public void Multiply_respects_leading_dimensions_of_submatrices()
    {
        // A 3x2 block inside a 5-wide buffer, times a 2x4 block inside a 6-wide buffer, into a 7-wide C.
        var a = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
        var b = Enumerable.Range(0, 12).Select(i => (float)(i % 5)).ToArray();
        var c = new float[3 * 7];
        Gemm.Multiply(false, false, 3, 4, 2, 1f, a, 5, b, 6, 0f, c, 7);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 7; j++)
            {
                float expected = j < 4 ? a[i * 5] * b[j] + a[i * 5 + 1] * b[6 + j] : 0f;
                Assert.Equal(expected, c[i * 7 + j]);
            }
    }

    [Fact]
    public void Multiply_rejects_buffers_that_are_too_small()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("A (4 x 4", ex.Message);
    }
}
