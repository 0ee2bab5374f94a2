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
    [InlineData(37, false, false)]   // 2 vectors of 16 + 5 left over (one 256-bit vector and scalars on AVX-512)
    [InlineData(37, true, false)]
    [InlineData(37, false, true)]
    [InlineData(37, true, true)]
    [InlineData(3, true, false)]     // scalars only
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
}
