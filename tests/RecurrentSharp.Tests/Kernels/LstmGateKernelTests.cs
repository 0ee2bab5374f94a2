using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// The fused LSTM gate pass against the equations evaluated in double precision. In the Kernels category, so
/// the child processes of <see cref="GemmPathSelectionTests"/> repeat it on the Vector256 and scalar paths.
/// </summary>
[Trait("Category", "Kernels")]
public class LstmGateKernelTests
{
    [Theory]
    [InlineData(37, false, false)]   // 2 vectors of 16 + 5 left over on AVX-512 (one more vector over units 21..36), 4 of 8 + 5 on AVX2 (one more vector over units 29..36)
    [InlineData(37, true, false)]
    [InlineData(37, false, true)]
    [InlineData(37, true, true)]
    [InlineData(12, true, false)]    // one vector of 8, then the extra vector over units 4..11 (AVX2), or only a padded vector (AVX-512)
    [InlineData(12, false, true)]
    [InlineData(25, true, false)]    // AVX-512: one vector of 16 and the extra vector over units 9..24; AVX2: 3 of 8 and the extra vector
    [InlineData(3, true, false)]     // only the padded vector (only scalars where no vector width is accelerated)
    [InlineData(64, false, false)]
    public void OnePassMatchesTheEquations(int hidden, bool peephole, bool coupled)
    {
        int gates = coupled ? 3 : 4, H = hidden;
        var random = new RandomGenerator(7);
        // Pre-activations up to ±12, where σ and tanh saturate, and c in ±3.
        var row = Tensor.RandomNormal(random, 0, 4, gates * H).ToArray();
        row[0] = 12f; row[1] = -12f; row[H - 1] = 1e-4f;
        var c = Tensor.RandomNormal(random, 0, 1.5f, H).ToArray();
        var p = peephole ? Tensor.RandomNormal(random, 0, 0.5f, (gates - 1) * H).ToArray() : [];
        var (a, cPrev) = ((float[])row.Clone(), (float[])c.Clone());
        var tanhC = new float[H];
        var h = new float[H];

        LstmGateKernel.Forward(row, c, tanhC, h, H, p, coupled);

        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        for (int j = 0; j < H; j++)
        {
            double i = Sigmoid(a[j] + (peephole ? (double)p[j] * cPrev[j] : 0));
            double f = coupled ? 1 - i : Sigmoid(a[H + j] + (peephole ? (double)p[H + j] * cPrev[j] : 0));
            double g = Math.Tanh(a[gOffset + j]);
            double cNew = f * cPrev[j] + i * g;
            double o = Sigmoid(a[oOffset + j] + (peephole ? (double)p[p.Length - H + j] * cNew : 0));
            const double tol = 2e-6;
            Assert.Equal(i, row[j], tol);
            if (!coupled) Assert.Equal(f, row[H + j], tol);
            Assert.Equal(g, row[gOffset + j], tol);
            Assert.Equal(o, row[oOffset + j], tol);
            Assert.Equal(cNew, c[j], tol * 4);
            Assert.Equal(Math.Tanh(cNew), tanhC[j], tol);
            Assert.Equal(o * Math.Tanh(cNew), h[j], tol);
        }
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => LstmGateKernel.Forward(new float[15], new float[4], new float[4], new float[4], 4, [], false));
        Assert.Contains("4 gates of 4 units", e.Message);
    }

    [Theory]
    [InlineData(37, false, false)]
    [InlineData(37, true, false)]
    [InlineData(37, true, true)]
    [InlineData(3, true, false)]
    [InlineData(64, false, true)]
    public void BackwardPassMatchesTheChainRule(int hidden, bool peephole, bool coupled)
    {
        int gates = coupled ? 3 : 4, H = hidden;
        var random = new RandomGenerator(11);
        var row = Tensor.RandomNormal(random, 0, 2, gates * H).ToArray();
        var c = Tensor.RandomNormal(random, 0, 1.5f, H).ToArray();
        var cPrev = (float[])c.Clone();
        var p = peephole ? Tensor.RandomNormal(random, 0, 0.5f, (gates - 1) * H).ToArray() : [];
        var (tanhC, h) = (new float[H], new float[H]);
        LstmGateKernel.Forward(row, c, tanhC, h, H, p, coupled);   // row now holds i, f, g, o

        var dh = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var dc = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var dcIn = (float[])dc.Clone();
        var da = new float[gates * H];
        var dp = peephole ? Enumerable.Repeat(0.25f, p.Length).ToArray() : [];   // added to, not overwritten
        LstmGateKernel.Backward(row, cPrev, tanhC, dh, dc, da, H, p, dp, coupled);

        int gOffset = coupled ? H : 2 * H, oOffset = coupled ? 2 * H : 3 * H;
        const double tol = 2e-6;
        for (int j = 0; j < H; j++)
        {
            // The equations of LstmGateKernel.Backward, in double, from the activations forward left.
            double i = row[j], f = coupled ? 1 - i : row[H + j], g = row[gOffset + j], o = row[oOffset + j], tc = tanhC[j];
            double cNow = f * cPrev[j] + i * g;
            double dao = dh[j] * tc * o * (1 - o);
            double dcNow = dcIn[j] + dh[j] * o * (1 - tc * tc) + (peephole ? dao * p[p.Length - H + j] : 0);
            double dag = dcNow * i * (1 - g * g);
            double dai = (coupled ? dcNow * (g - cPrev[j]) : dcNow * g) * i * (1 - i);
            double daf = dcNow * cPrev[j] * f * (1 - f);
            double dcPrev = dcNow * f + (peephole ? dai * p[j] + (coupled ? 0 : daf * p[H + j]) : 0);
            Assert.Equal(dao, da[oOffset + j], tol);
            Assert.Equal(dag, da[gOffset + j], tol);
            Assert.Equal(dai, da[j], tol);
            if (!coupled) Assert.Equal(daf, da[H + j], tol);
            Assert.Equal(dcPrev, dc[j], tol * 4);
            if (peephole)
            {
                Assert.Equal(0.25 + dai * cPrev[j], dp[j], tol);
                if (!coupled) Assert.Equal(0.25 + daf * cPrev[j], dp[H + j], tol);
                Assert.Equal(0.25 + dao * cNow, dp[p.Length - H + j], tol);
            }
        }
    }
}
