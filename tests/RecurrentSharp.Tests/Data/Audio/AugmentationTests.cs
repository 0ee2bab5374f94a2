using RecurrentSharp.Data.Audio;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Data.Audio;

public class AugmentationTests
{
    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    public void Speed_perturbation_reads_the_signal_at_factor_times_the_pace(double factor)
    {
        // linear interpolation is exact on a ramp: y[i] = x(i·factor) = i·factor
        var ramp = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        var y = SpeedPerturbation.Apply(ramp, factor);
        Assert.Equal((int)Math.Floor(999 / factor) + 1, y.Length);
        for (int i = 0; i < y.Length; i++) Assert.Equal(i * factor, y[i], 3);
    }

    [Fact]
    public void Speeding_up_raises_a_tones_frequency_by_the_factor()
    {
        const int rate = 8000;
        var tone = Enumerable.Range(0, rate).Select(i => (float)Math.Sin(2 * Math.PI * 500 * i / rate)).ToArray();
        var faster = SpeedPerturbation.Apply(tone, 1.1);
        // zero crossings per second: 2·f
        int crossings = 0;
        for (int i = 1; i < faster.Length; i++) if ((faster[i - 1] < 0) != (faster[i] < 0)) crossings++;
        double seconds = (double)faster.Length / rate;
        Assert.Equal(2 * 550, crossings / seconds, 0.01 * 1100);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedPerturbation.Apply(tone, 3));
    }

    [Fact]
    public void SpecAugment_zeroes_whole_bands_and_frames_and_keeps_the_rest()
    {
        var random = new RandomGenerator(3);
        const int T = 60, D = 40;
        var values = Enumerable.Range(0, T * D).Select(_ => 1f + random.NextFloat()).ToArray();
        var features = new FeatureMatrix(values, T, D);
        var masked = new SpecAugment(FrequencyMasks: 2, MaxBands: 6, TimeMasks: 2, MaxFrames: 10).Apply(features, new RandomGenerator(5));
        int zeroBands = 0, zeroFrames = 0;
        for (int d = 0; d < D; d++) if (Enumerable.Range(0, T).All(t => masked.Row(t)[d] == 0)) zeroBands++;
        for (int t = 0; t < T; t++) if (Enumerable.Range(0, D).All(d => masked.Row(t)[d] == 0)) zeroFrames++;
        Assert.InRange(zeroBands, 0, 12);
        Assert.InRange(zeroFrames, 0, 20);
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
            {
                float v = masked.Row(t)[d];
                Assert.True(v == 0 || v == features.Row(t)[d]);
                // a zero is always part of a masked band or frame
                if (v == 0) Assert.True(Enumerable.Range(0, T).All(s => masked.Row(s)[d] == 0) || Enumerable.Range(0, D).All(e => masked.Row(t)[e] == 0));
            }
        Assert.True(zeroBands + zeroFrames > 0);
        // the same generator state gives the same masks; the input is not changed
        Assert.Equal(masked.Values, new SpecAugment(2, 6, 2, 10).Apply(features, new RandomGenerator(5)).Values);
        Assert.Equal(values, features.Values);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    public void Vtlp_warp_scales_low_frequencies_by_the_factor_and_keeps_zero_and_nyquist(double alpha)
    {
        const int rate = 8000;
        // F = 0.3·rate: below F·min(α, 1)/α the warp is α·f; above it a line on to the Nyquist frequency
        double boundary = 0.3 * rate * Math.Min(alpha, 1) / alpha;
        foreach (double f in new[] { 0.0, 300, 1000, boundary })
            Assert.Equal(alpha * f, MelFilterbank.WarpedFrequency(f, alpha, rate), 9);
        Assert.Equal(rate / 2.0, MelFilterbank.WarpedFrequency(rate / 2.0, alpha, rate), 9);
        double previous = -1;
        for (double f = 0; f <= rate / 2.0; f += 10)
        {
            double warped = MelFilterbank.WarpedFrequency(f, alpha, rate);
            Assert.True(warped > previous && warped <= rate / 2.0 + 1e-9, $"warp({f}) = {warped} after {previous}");
            previous = warped;
        }
        Assert.Equal(1234.5, MelFilterbank.WarpedFrequency(1234.5, 1.0, rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MelFilterbank(40, 256, rate, warp: 3));
    }

    [Theory]
    [InlineData(1.1, 12)]
    [InlineData(0.9, 20)]
    public void A_warped_filterbank_hears_a_tone_where_the_plain_one_hears_it_at_factor_times_the_frequency(double alpha, int band)
    {
        // a tone at (centre of band b)/α, through a filterbank warped by α, peaks in band b as the plain filterbank's tone at the centre does
        const int rate = 8000;
        double melTop = 2595 * Math.Log10(1 + rate / 2.0 / 700);
        double centre = 700 * (Math.Pow(10, melTop * (band + 1) / 41 / 2595) - 1);
        var tone = Enumerable.Range(0, rate / 4).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * centre / alpha * i / rate))).ToArray();
        var warped = new LogMelSpectrogram(rate, warp: alpha).Compute(tone);
        var plain = new LogMelSpectrogram(rate).Compute(tone);
        int plainPeak = Peak(plain.Row(plain.Frames / 2));
        Assert.Equal(band, Peak(warped.Row(warped.Frames / 2)));
        Assert.NotEqual(band, plainPeak);
        Assert.True(alpha > 1 ? plainPeak < band : plainPeak > band, $"the plain filterbank peaks in band {plainPeak}");
    }

    private static int Peak(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int b = 1; b < row.Length; b++) if (row[b] > row[best]) best = b;
        return best;
    }
}
