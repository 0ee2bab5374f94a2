using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data.Audio;

/// <summary>
/// SpecAugment's masking (Park et al. 2019) on normalised frame features: <c>frequencyMasks</c> bands of
/// width w ~ U{0..maxBands} starting at f0 ~ U{0..D−w}, and <c>timeMasks</c> runs of width w ~ U{0..maxFrames}
/// (at most <c>maxTimeFraction</c>·T) starting at t0 ~ U{0..T−w}, set to 0 (the mean after normalisation).
/// Time warping is not done.
/// </summary>
public sealed record SpecAugment(int FrequencyMasks = 2, int MaxBands = 6, int TimeMasks = 2, int MaxFrames = 10, double MaxTimeFraction = 0.2)
{
    /// <summary>A masked copy of <paramref name="features"/>, every choice drawn from <paramref name="random"/>.</summary>
    public FeatureMatrix Apply(FeatureMatrix features, RandomGenerator random)
    {
        int T = features.Frames, D = features.Dimensions;
        var values = (float[])features.Values.Clone();
        for (int m = 0; m < FrequencyMasks; m++)
        {
            int width = random.Next(Math.Min(MaxBands, D) + 1);
            int start = random.Next(D - width + 1);
            for (int t = 0; t < T; t++) values.AsSpan(t * D + start, width).Clear();
        }
        int widest = Math.Min(MaxFrames, (int)(MaxTimeFraction * T));
        for (int m = 0; m < TimeMasks; m++)
        {
            int width = random.Next(widest + 1);
            int start = random.Next(T - width + 1);
            values.AsSpan(start * D, width * D).Clear();
        }
        return new FeatureMatrix(values, T, D);
    }
}
