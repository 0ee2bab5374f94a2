using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// The fused additive attention score, forward and backward, against the equations evaluated in double precision. In
/// the Kernels category, so the child processes of <see cref="GemmPathSelectionTests"/> repeat it on the Vector256
/// and scalar paths.
/// </summary>
[Trait("Category", "Kernels")]
public class AdditiveScoreKernelTests
{
    [Theory]
    [InlineData(37, 5)]   // 2 vectors of 16 + 5 left over (one 256-bit vector and scalars on AVX-512)
    [InlineData(3, 2)]    // scalars only
    [InlineData(64, 1)]
    public void ScoresAndGradientsMatchTheEquations(int n, int keys)
    {
        var random = new RandomGenerator(11);
        // u + p up to about ±12, where tanh saturates.
        var u = Tensor.RandomNormal(random, 0, 3, n).ToArray();
        var p = Tensor.RandomNormal(random, 0, 3, keys * n).ToArray();
        var v = Tensor.RandomNormal(random, 0, 1, n).ToArray();
        var de = Tensor.RandomNormal(random, 0, 1, keys).ToArray();
        u[0] = 12f; p[0] = 1f; u[n - 1] = 1e-4f;
        var e = new float[keys];
        var du = Tensor.RandomNormal(random, 0, 1, n).ToArray();
        var dp = Tensor.RandomNormal(random, 0, 1, keys * n).ToArray();
        var dv = Tensor.RandomNormal(random, 0, 1, n).ToArray();
        var (du0, dp0, dv0) = ((float[])du.Clone(), (float[])dp.Clone(), (float[])dv.Clone());

        AdditiveScoreKernel.Forward(u, p, v, e);
        AdditiveScoreKernel.Backward(u, p, v, de, du, dp, dv);

        var duExpected = du0.Select(x => (double)x).ToArray();
        var dvExpected = dv0.Select(x => (double)x).ToArray();
        for (int s = 0; s < keys; s++)
        {
            double score = 0;
            for (int j = 0; j < n; j++)
            {
                double z = Math.Tanh((double)u[j] + p[s * n + j]);
                score += v[j] * z;
                double g = de[s] * v[j] * (1 - z * z);
                duExpected[j] += g;
                dvExpected[j] += de[s] * z;
                // Every key's gradient is added to what the row held.
                Assert.Equal(dp0[s * n + j] + g, dp[s * n + j], 2e-6);
            }
            Assert.Equal(score, e[s], 1e-5);
        }
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(duExpected[j], du[j], 1e-5);
            Assert.Equal(dvExpected[j], dv[j], 1e-5);
        }
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => AdditiveScoreKernel.Forward(new float[4], new float[7], new float[4], new float[2]));
        Assert.Contains("2 keys of 4 units", e.Message);
    }
}
