namespace RecurrentSharp.Data.Audio;

/// <summary>
/// Triangular mel filters over the bins of a power spectrum (HTK's mel scale, mel(f) = 2595·log10(1 + f/700)):
/// <c>bands</c> + 2 points equally spaced in mel from <c>lowHz</c> to <c>highHz</c>; filter b rises linearly
/// from point b to a peak of 1 at point b+1 (its centre) and falls to 0 at point b+2, in Hz.
/// </summary>
/// <remarks>
/// With a <c>warp</c> factor α ≠ 1 the filters read the spectrum with its frequency axis warped as in vocal tract
/// length perturbation (Jaitly and Hinton 2013): filter b weighs bin k by its response at f' = warp(f_k), with
/// <code>
/// f' = α·f                                                       for f ≤ F·min(α, 1)/α
/// f' = N − (N − F·min(α, 1)) / (N − F·min(α, 1)/α) · (N − f)      above (N = rate/2, F = 0.3·rate, their 4.8 kHz at 16 kHz)
/// </code>
/// a line through the origin joined to one that ends at the Nyquist frequency, so the whole band stays in range.
/// α &gt; 1 moves the spectrum's content to higher filters (a shorter vocal tract), α &lt; 1 to lower ones.
/// </remarks>
public sealed class MelFilterbank
{
    private readonly float[] weights;   // (bands, bins) row-major

    /// <summary>Builds the filters for an FFT of <paramref name="fftSize"/> points at <paramref name="sampleRate"/> Hz.</summary>
    public MelFilterbank(int bands, int fftSize, int sampleRate, double lowHz = 0, double? highHz = null, double warp = 1.0)
    {
        if (!(warp >= 0.5 && warp <= 2)) throw new ArgumentOutOfRangeException(nameof(warp), warp, "the warp factor must be between 0.5 and 2");
        double high = highHz ?? sampleRate / 2.0;
        if (bands < 1) throw new ArgumentOutOfRangeException(nameof(bands), bands, "at least one mel band");
        if (!(lowHz >= 0 && lowHz < high && high <= sampleRate / 2.0))
            throw new ArgumentOutOfRangeException(nameof(highHz), high, $"the mel range must satisfy 0 ≤ low < high ≤ {sampleRate / 2.0} Hz");
        Bands = bands;
        Warp = warp;
        Bins = fftSize / 2 + 1;
        CentersHz = new double[bands];
        weights = new float[bands * Bins];
        double melLow = HzToMel(lowHz), melHigh = HzToMel(high);
        var points = new double[bands + 2];
        for (int i = 0; i < points.Length; i++) points[i] = MelToHz(melLow + (melHigh - melLow) * i / (bands + 1));
        for (int b = 0; b < bands; b++)
        {
            double left = points[b], center = points[b + 1], right = points[b + 2];
            CentersHz[b] = center;
            for (int k = 0; k < Bins; k++)
            {
                double f = WarpedFrequency((double)k * sampleRate / fftSize, warp, sampleRate);     // the (warped) frequency of bin k
                double w = f <= center ? (f - left) / (center - left) : (right - f) / (right - center);
                weights[b * Bins + k] = (float)Math.Max(0, w);
            }
        }
    }

    /// <summary>The number of filters.</summary>
    public int Bands { get; }

    /// <summary>The vocal tract length perturbation factor α (1: none).</summary>
    public double Warp { get; }

    /// <summary>VTLP's piecewise-linear warp of <paramref name="hz"/> by <paramref name="alpha"/> (see the remarks); the identity for α = 1.</summary>
    public static double WarpedFrequency(double hz, double alpha, int sampleRate)
    {
        if (alpha == 1.0) return hz;
        double nyquist = sampleRate / 2.0, boundary = 0.3 * sampleRate * Math.Min(alpha, 1) / alpha;
        if (hz <= boundary) return alpha * hz;
        return nyquist - (nyquist - alpha * boundary) / (nyquist - boundary) * (nyquist - hz);
    }

    /// <summary>The number of spectrum bins the filters read (FFT size / 2 + 1).</summary>
    public int Bins { get; }

    /// <summary>The peak frequency of each filter.</summary>
    public double[] CentersHz { get; }

    /// <summary>The weight of bin <paramref name="bin"/> in filter <paramref name="band"/>.</summary>
    public float Weight(int band, int bin) => weights[band * Bins + bin];

    /// <summary>HTK mel scale: 2595·log10(1 + f/700).</summary>
    public static double HzToMel(double hz) => 2595 * Math.Log10(1 + hz / 700);

    /// <summary>The inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);

    /// <summary>energies[b] = Σ_k weight(b, k)·power[k].</summary>
    public void Apply(ReadOnlySpan<double> power, Span<double> energies)
    {
        for (int b = 0; b < Bands; b++)
        {
            var row = weights.AsSpan(b * Bins, Bins);
            double e = 0;
            for (int k = 0; k < Bins; k++) e += row[k] * power[k];
            energies[b] = e;
        }
    }
}
