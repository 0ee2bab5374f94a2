using RecurrentSharp.Data.Audio;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Data.Audio;

public class MfccTests
{
    [Fact]
    public void Coefficients_are_the_orthonormal_dct_of_the_log_mel_frame()
    {
        var random = new RandomGenerator(6);
        var logMel = new FeatureMatrix(Enumerable.Range(0, 2 * 8).Select(_ => random.NextFloat()).ToArray(), 2, 8);
        var mfcc = Mfcc.FromLogMel(logMel, 5);
        Assert.Equal(5, mfcc.Dimensions);
        for (int t = 0; t < 2; t++)
            for (int j = 0; j < 5; j++)
            {
                double c = 0;
                for (int b = 0; b < 8; b++) c += logMel.Row(t)[b] * Math.Cos(Math.PI * j * (2 * b + 1) / 16);
                c *= j == 0 ? Math.Sqrt(1.0 / 8) : Math.Sqrt(2.0 / 8);
                Assert.Equal(c, mfcc.Row(t)[j], 5);
            }
        // a flat log-mel frame has only c_0 = √B · value
        var flat = Mfcc.FromLogMel(new FeatureMatrix(Enumerable.Repeat(2f, 8).ToArray(), 1, 8), 4);
        Assert.Equal(2 * Math.Sqrt(8), flat.Values[0], 5);
        for (int j = 1; j < 4; j++) Assert.Equal(0, flat.Values[j], 5);
    }

    [Fact]
    public void Deltas_of_a_ramp_are_its_slope_inside_and_the_edges_repeat()
    {
        var ramp = new FeatureMatrix(Enumerable.Range(0, 10).Select(i => 3f * i).ToArray(), 10, 1);
        var d = Mfcc.Deltas(ramp, 2);
        for (int t = 2; t < 8; t++) Assert.Equal(3f, d.Values[t], 5);
        // t = 0: (1·(3 − 0) + 2·(6 − 0)) / 10 = 1.5
        Assert.Equal(1.5f, d.Values[0], 5);
        var all = Mfcc.WithDeltas(ramp);
        Assert.Equal(3, all.Dimensions);
        Assert.Equal(0f, all.Row(5)[2], 5);       // the second derivative of a ramp
        Assert.Equal(15f, all.Row(5)[0]);
    }

    [Fact]
    public void Normalisation_gives_zero_mean_and_unit_variance()
    {
        var random = new RandomGenerator(2);
        var u = new FeatureMatrix(Enumerable.Range(0, 50 * 3).Select(i => random.NextFloat() * (i % 3 + 1) + i % 3).ToArray(), 50, 3);
        var n = FeatureNormalizer.PerUtterance(u);
        for (int d = 0; d < 3; d++)
        {
            var column = Enumerable.Range(0, 50).Select(t => (double)n.Row(t)[d]).ToArray();
            Assert.Equal(0, column.Average(), 5);
            Assert.Equal(1, column.Select(x => x * x).Average(), 4);
        }
        var set = FeatureNormalizer.Fit([u, u]);
        Assert.Equal(n.Values, set.Apply(u).Values);
        Assert.Throws<ArgumentException>(() => set.Apply(new FeatureMatrix(new float[4], 2, 2)));
    }
}
