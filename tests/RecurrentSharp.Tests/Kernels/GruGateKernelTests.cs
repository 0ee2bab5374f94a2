using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// The fused GRU gate pass against its equations evaluated in double precision. In the Kernels category, so the child
/// processes of <see cref="GemmPathSelectionTests"/> repeat it on the Vector256 and scalar paths.
/// </summary>
[Trait("Category", "Kernels")]
public class GruGateKernelTests
{
    [Theory]
    [InlineData(37, true)]    // 2 vectors of 16 + 5 left over (scalars) on AVX-512; 4 of 8 + 5 on AVX2 (one more vector over units 29..36)
    [InlineData(37, false)]
    [InlineData(12, true)]    // AVX2: one vector of 8, then the extra vector over units 4..11
    [InlineData(25, true)]    // AVX-512: one vector of 16, then Vector256 from unit 16 with 9 left (one of 8 and the extra vector over 17..24)
    [InlineData(3, true)]     // scalars only
    [InlineData(64, true)]
    public void OnePassMatchesTheEquations(int hidden, bool bias)
    {
        int H = hidden;
        var random = new RandomGenerator(11);
        // pre-activations up to ±12, where σ and tanh saturate
        var gx = Tensor.RandomNormal(random, 0, 4, 3 * H).ToArray();
        gx[0] = 12f; gx[1] = -12f; gx[2 * H] = 1e-4f;
        var gh = Tensor.RandomNormal(random, 0, 2, 3 * H).ToArray();
        var b = bias ? Tensor.RandomNormal(random, 0, 0.5f, 3 * H).ToArray() : [];
        var h = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var (x, hPrev) = ((float[])gx.Clone(), (float[])h.Clone());
        var hn = new float[H];

        GruGateKernel.Forward(gx, gh, b, hn, h, H);

        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        double Bias(int k) => bias ? b[k] : 0;
        const double tol = 2e-6;
        for (int j = 0; j < H; j++)
        {
            double r = Sigmoid((double)x[j] + gh[j] + Bias(j));
            double z = Sigmoid((double)x[H + j] + gh[H + j] + Bias(H + j));
            double hidN = (double)gh[2 * H + j] + Bias(2 * H + j);
            Assert.Equal(r, gx[j], tol);
            Assert.Equal(z, gx[H + j], tol);
            Assert.Equal(hidN, hn[j], tol);
            double n = Math.Tanh(x[2 * H + j] + r * hidN);
            Assert.Equal(n, gx[2 * H + j], tol);
            Assert.Equal(n + z * (hPrev[j] - n), h[j], tol * 2);
        }
    }

    [Theory]
    [InlineData(37, true)]    // AVX-512: 2 vectors of 16 and 5 scalars; AVX2: 4 of 8 and the extra vector
    [InlineData(45, true)]    // AVX-512: 2 vectors of 16, then Vector256 over the 13 left (one of 8 and the extra vector)
    [InlineData(3, false)]    // scalars only, no hidden bias
    public void An_input_bias_given_to_the_kernel_acts_as_if_added_to_the_input_projection(int hidden, bool hiddenBias)
    {
        int H = hidden;
        var random = new RandomGenerator(13);
        var gx = Tensor.RandomNormal(random, 0, 4, 3 * H).ToArray();
        var gh = Tensor.RandomNormal(random, 0, 2, 3 * H).ToArray();
        var bi = Tensor.RandomNormal(random, 0, 1, 3 * H).ToArray();
        var bh = hiddenBias ? Tensor.RandomNormal(random, 0, 0.5f, 3 * H).ToArray() : [];
        var h = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var (gxAdded, hAdded, hn, hnAdded) = ((float[])gx.Clone(), (float[])h.Clone(), new float[H], new float[H]);
        for (int k = 0; k < 3 * H; k++) gxAdded[k] += bi[k];

        GruGateKernel.Forward(gx, gh, bi, bh, hn, h, H);
        GruGateKernel.Forward(gxAdded, gh, bh, hnAdded, hAdded, H);

        TensorAssert.Close(gxAdded, gx, 1e-6, "activations r, z, n");
        TensorAssert.Close(hnAdded, hn, 1e-6, "hn");
        TensorAssert.Close(hAdded, h, 1e-6, "h_t");
        Assert.Throws<ArgumentException>(() => GruGateKernel.Forward(gx, gh, new float[3 * H - 1], bh, hn, h, H));
    }

    [Theory]
    [InlineData(37)]
    [InlineData(3)]
    [InlineData(64)]
    public void BackwardMatchesTheChainRule(int hidden)
    {
        int H = hidden;
        var random = new RandomGenerator(12);
        var act = Tensor.RandomUniform(random, 0.02f, 0.98f, 3 * H).ToArray();   // r, z in (0, 1), n in (0, 1) too
        var hPrev = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var hn = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var dh = Tensor.RandomNormal(random, 0, 1, H).ToArray();
        var dhIn = (float[])dh.Clone();
        var (dGx, dGh) = (new float[3 * H], new float[3 * H]);

        GruGateKernel.Backward(act, hPrev, hn, dh, dGx, dGh, H);

        const double tol = 1e-6;
        for (int j = 0; j < H; j++)
        {
            double r = act[j], z = act[H + j], n = act[2 * H + j], g = dhIn[j];
            double dz = g * (hPrev[j] - n) * z * (1 - z), dn = g * (1 - z) * (1 - n * n), dr = dn * hn[j] * r * (1 - r);
            Assert.Equal(dr, dGx[j], tol); Assert.Equal(dz, dGx[H + j], tol); Assert.Equal(dn, dGx[2 * H + j], tol);
            Assert.Equal(dr, dGh[j], tol); Assert.Equal(dz, dGh[H + j], tol); Assert.Equal(dn * r, dGh[2 * H + j], tol);
            Assert.Equal(g * z, dh[j], tol);
        }
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => GruGateKernel.Forward(new float[12], new float[12], [], new float[4], new float[3], 4));
        Assert.Contains("3 gates of 4 units", e.Message);
    }
}
