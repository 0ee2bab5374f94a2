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
}
