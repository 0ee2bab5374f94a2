namespace RecurrentSharp.Data.Audio;

/// <summary>
/// Log-mel filterbank features: frames of <c>windowMs</c> every <c>hopMs</c>, a periodic Hann window, the power
/// spectrum of a zero-padded FFT (the next power of two at least the window), triangular mel filters
/// (<see cref="MelFilterbank"/>) and the natural log, floored.
/// </summary>
/// <remarks>
/// <code>
/// frame t:  x_t[n] = s[t·hop + n] · w[n],   w[n] = 0.5 − 0.5·cos(2πn / window),  n &lt; window   (zeros up to the FFT size)
/// P_t[k] = |Σ_n x_t[n]·e^(−2πi·kn/nfft)|²,  k = 0 .. nfft/2
/// logmel_t[b] = ln(max(Σ_k H_b[k]·P_t[k], floor))
/// frames = 1 + (len − window) / hop (integer division); a signal shorter than one window is zero-padded to one frame
/// </code>
/// </remarks>
public sealed class LogMelSpectrogram
{
    private readonly Fft fft;
    private readonly double[] window;

    /// <summary>
    /// Sets up the extractor (defaults: 40 bands, 25 ms Hann window, 10 ms hop, floor 1e-10); <paramref name="warp"/> ≠ 1
    /// warps the filterbank's frequency axis (vocal tract length perturbation, <see cref="MelFilterbank"/>).
    /// </summary>
    public LogMelSpectrogram(int sampleRate, int bands = 40, double windowMs = 25, double hopMs = 10, double floor = 1e-10, double warp = 1.0)
    {
        if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "the sample rate must be positive");
        SampleRate = sampleRate;
        WindowLength = (int)Math.Round(sampleRate * windowMs / 1000);
        HopLength = (int)Math.Round(sampleRate * hopMs / 1000);
        if (WindowLength < 2 || HopLength < 1)
            throw new ArgumentOutOfRangeException(nameof(windowMs), $"a {windowMs} ms window every {hopMs} ms at {sampleRate} Hz is shorter than a sample");
        Floor = floor;
        int nfft = 1;
        while (nfft < WindowLength) nfft <<= 1;
        fft = new Fft(nfft);
        Filterbank = new MelFilterbank(bands, nfft, sampleRate, warp: warp);
        window = new double[WindowLength];
        for (int n = 0; n < WindowLength; n++) window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / WindowLength);
    }

    /// <summary>The sample rate the extractor expects.</summary>
    public int SampleRate { get; }

    /// <summary>Samples per frame.</summary>
    public int WindowLength { get; }

    /// <summary>Samples between frame starts.</summary>
    public int HopLength { get; }

    /// <summary>The FFT size (a power of two ≥ the window).</summary>
    public int FftSize => fft.Size;

    /// <summary>The smallest mel energy before the log.</summary>
    public double Floor { get; }

    /// <summary>The mel filters.</summary>
    public MelFilterbank Filterbank { get; }

    /// <summary>The number of frames for a signal of <paramref name="samples"/> samples.</summary>
    public int FrameCount(int samples) => samples <= WindowLength ? 1 : 1 + (samples - WindowLength) / HopLength;

    /// <summary>The (frames, bands) log-mel features of <paramref name="signal"/>.</summary>
    public FeatureMatrix Compute(ReadOnlySpan<float> signal)
    {
        int frames = FrameCount(signal.Length), bands = Filterbank.Bands, nfft = fft.Size;
        var result = new float[frames * bands];
        var re = new double[nfft];
        var im = new double[nfft];
        var power = new double[nfft / 2 + 1];
        var energies = new double[bands];
        for (int t = 0; t < frames; t++)
        {
            Array.Clear(re);
            Array.Clear(im);
            int start = t * HopLength;
            int count = Math.Min(WindowLength, signal.Length - start);
            for (int n = 0; n < count; n++) re[n] = signal[start + n] * window[n];   // x_t[n] = s[t·hop + n]·w[n]
            fft.Transform(re, im);
            for (int k = 0; k < power.Length; k++) power[k] = re[k] * re[k] + im[k] * im[k]; // P_t[k] = |X_t[k]|²
            Filterbank.Apply(power, energies);
            for (int b = 0; b < bands; b++) result[t * bands + b] = (float)Math.Log(Math.Max(energies[b], Floor));
        }
        return new FeatureMatrix(result, frames, bands);
    }
}
