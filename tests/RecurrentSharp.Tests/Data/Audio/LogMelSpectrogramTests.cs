using RecurrentSharp.Data.Audio;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Data.Audio;

public class LogMelSpectrogramTests
{
    [Fact]
    public void Defaults_are_40_bands_25_ms_windows_every_10_ms()
    {
        var extractor = new LogMelSpectrogram(8000);
        Assert.Equal(200, extractor.WindowLength);
        Assert.Equal(80, extractor.HopLength);
        Assert.Equal(256, extractor.FftSize);
        Assert.Equal(40, extractor.Filterbank.Bands);
        Assert.Equal(1 + (8000 - 200) / 80, extractor.Compute(new float[8000]).Frames);   // 98 frames in a second
        Assert.Equal(1, extractor.Compute(new float[50]).Frames);
    }

    [Theory]
    [InlineData(16000, 5)]
    [InlineData(16000, 20)]
    [InlineData(8000, 12)]
    [InlineData(8000, 33)]
    public void A_pure_tone_at_a_band_centre_puts_its_energy_in_that_band(int rate, int band)
    {
        // the centre of band b, from the mel scale's definition: b + 1 of bands + 1 equal mel steps from 0 to rate/2
        double melTop = 2595 * Math.Log10(1 + rate / 2.0 / 700);
        double centre = 700 * (Math.Pow(10, melTop * (band + 1) / 41 / 2595) - 1);
        var tone = new float[rate / 2];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * centre * i / rate));
        var features = new LogMelSpectrogram(rate).Compute(tone);
        for (int t = 0; t < features.Frames; t++)
        {
            var row = features.Row(t);
            int best = 0;
            for (int b = 1; b < row.Length; b++) if (row[b] > row[best]) best = b;
            Assert.Equal(band, best);
            // bands two or more away hold far less: at least a factor e^3 below the peak
            for (int b = 0; b < row.Length; b++)
                if (Math.Abs(b - band) >= 3) Assert.True(row[b] < row[band] - 3, $"frame {t}: band {b} has {row[b]}, the tone's band {row[band]}");
        }
    }

    [Fact]
    public void One_frame_matches_a_naive_dft_computed_in_double()
    {
        const int rate = 8000, window = 200, nfft = 256, bands = 40, frame = 3, hop = 80;
        var random = new RandomGenerator(21);
        var signal = new float[1000];
        for (int i = 0; i < signal.Length; i++) signal[i] = (float)(random.NextFloat() - 0.5);
        var features = new LogMelSpectrogram(rate).Compute(signal);

        // x[n] = s[3·80 + n]·(0.5 − 0.5 cos(2πn/200)), P[k] = |Σ_n x[n] e^(−2πi kn/256)|²
        var power = new double[nfft / 2 + 1];
        for (int k = 0; k <= nfft / 2; k++)
        {
            double re = 0, im = 0;
            for (int n = 0; n < window; n++)
            {
                double x = signal[frame * hop + n] * (0.5 - 0.5 * Math.Cos(2 * Math.PI * n / window));
                re += x * Math.Cos(2 * Math.PI * k * n / nfft);
                im -= x * Math.Sin(2 * Math.PI * k * n / nfft);
            }
            power[k] = re * re + im * im;
        }
        // triangles between mel points m_i = i·mel(4000)/41, i = 0..41, converted to Hz
        double Mel(double f) => 2595 * Math.Log10(1 + f / 700);
        double Hz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);
        for (int b = 0; b < bands; b++)
        {
            double lo = Hz(Mel(4000) * b / 41), mid = Hz(Mel(4000) * (b + 1) / 41), hi = Hz(Mel(4000) * (b + 2) / 41);
            double energy = 0;
            for (int k = 0; k <= nfft / 2; k++)
            {
                double f = k * (double)rate / nfft;
                double w = f < lo || f > hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
                energy += w * power[k];
            }
            double expected = Math.Log(energy);
            Assert.True(Math.Abs(features.Row(frame)[b] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"band {b}: {features.Row(frame)[b]}, naive {expected}");
        }
    }

    [Fact]
    public void Silence_is_the_log_floor()
    {
        var features = new LogMelSpectrogram(8000).Compute(new float[400]);
        Assert.All(features.Values, v => Assert.Equal((float)Math.Log(1e-10), v));
    }

    [Fact]
    public void Fft_matches_the_naive_dft()
    {
        var random = new RandomGenerator(4);
        const int n = 64;
        var re = new double[n];
        var im = new double[n];
        for (int i = 0; i < n; i++) { re[i] = random.NextFloat() - 0.5; im[i] = random.NextFloat() - 0.5; }
        var (xr, xi) = ((double[])re.Clone(), (double[])im.Clone());
        new Fft(n).Transform(re, im);
        for (int k = 0; k < n; k++)
        {
            double er = 0, ei = 0;
            for (int t = 0; t < n; t++)
            {
                double c = Math.Cos(2 * Math.PI * k * t / n), s = -Math.Sin(2 * Math.PI * k * t / n);
                er += xr[t] * c - xi[t] * s;
                ei += xr[t] * s + xi[t] * c;
            }
            Assert.Equal(er, re[k], 9);
            Assert.Equal(ei, im[k], 9);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Fft(100));
    }
}
