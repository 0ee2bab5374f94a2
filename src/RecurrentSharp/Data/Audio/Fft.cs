namespace RecurrentSharp.Data.Audio;

/// <summary>
/// An in-place iterative radix-2 complex FFT (Cooley–Tukey, decimation in time) in float64, for sizes that
/// are powers of two: X[k] = Σ_n x[n]·e^(−2πi·kn/N).
/// </summary>
public sealed class Fft
{
    private readonly double[] cos, sin;
    private readonly int[] bitReversed;

    /// <summary>Prepares the twiddle factors and the bit-reversal permutation for transforms of <paramref name="size"/> points.</summary>
    public Fft(int size)
    {
        if (size < 1 || (size & (size - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "the FFT size must be a power of two");
        Size = size;
        cos = new double[size / 2];
        sin = new double[size / 2];
        for (int k = 0; k < size / 2; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / size);
            sin[k] = -Math.Sin(2 * Math.PI * k / size);     // e^(−2πi k/N)
        }
        bitReversed = new int[size];
        int bits = System.Numerics.BitOperations.Log2((uint)size);
        for (int i = 0; i < size; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            bitReversed[i] = r;
        }
    }

    /// <summary>The transform size N.</summary>
    public int Size { get; }

    /// <summary>Transforms (<paramref name="re"/>, <paramref name="im"/>) in place; both have <see cref="Size"/> values.</summary>
    public void Transform(Span<double> re, Span<double> im)
    {
        int n = Size;
        if (re.Length != n || im.Length != n) throw new ArgumentException($"the FFT of size {n} needs {n} real and imaginary values, got {re.Length} and {im.Length}");
        for (int i = 0; i < n; i++)
        {
            int j = bitReversed[i];
            if (j > i) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        // butterflies: for each block of length len, X[k] = E[k] + w^k O[k], X[k + len/2] = E[k] − w^k O[k], w = e^(−2πi/len)
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len / 2, step = n / len;
            for (int start = 0; start < n; start += len)
                for (int k = 0; k < half; k++)
                {
                    double wr = cos[k * step], wi = sin[k * step];
                    int a = start + k, b = a + half;
                    double tr = wr * re[b] - wi * im[b];
                    double ti = wr * im[b] + wi * re[b];
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                }
        }
    }
}
