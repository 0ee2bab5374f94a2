namespace RecurrentSharp.Data.Audio;

/// <summary>
/// Mean/variance normalisation of frame-wise features, per dimension: x' = (x − μ) / σ with σ = √(var + ε).
/// The statistics come from one utterance (<see cref="PerUtterance"/>) or from every frame of a training set
/// (<see cref="Fit"/>, kept with a model so that prediction normalises the same way).
/// </summary>
public sealed class FeatureNormalizer
{
    private const double Epsilon = 1e-8;

    /// <summary>Creates a normaliser from known statistics.</summary>
    public FeatureNormalizer(float[] mean, float[] std)
    {
        if (mean.Length != std.Length) throw new ArgumentException($"{mean.Length} means but {std.Length} standard deviations");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentOutOfRangeException(nameof(std), s, "standard deviations must be positive");
        Mean = mean;
        Std = std;
    }

    /// <summary>μ per dimension.</summary>
    public float[] Mean { get; }

    /// <summary>σ per dimension.</summary>
    public float[] Std { get; }

    /// <summary>The statistics of every frame of <paramref name="utterances"/> (accumulated in float64).</summary>
    public static FeatureNormalizer Fit(IEnumerable<FeatureMatrix> utterances)
    {
        double[]? sum = null, squares = null;
        long frames = 0;
        foreach (var u in utterances)
        {
            sum ??= new double[u.Dimensions];
            squares ??= new double[u.Dimensions];
            if (u.Dimensions != sum.Length) throw new ArgumentException($"an utterance has {u.Dimensions} dimensions, the first had {sum.Length}");
            for (int t = 0; t < u.Frames; t++)
                for (int d = 0; d < u.Dimensions; d++)
                {
                    double x = u.Values[t * u.Dimensions + d];
                    sum[d] += x;
                    squares[d] += x * x;
                }
            frames += u.Frames;
        }
        if (sum is null || frames == 0) throw new ArgumentException("no frames to compute statistics from", nameof(utterances));
        var mean = new float[sum.Length];
        var std = new float[sum.Length];
        for (int d = 0; d < sum.Length; d++)
        {
            double m = sum[d] / frames;
            double variance = Math.Max(0, squares![d] / frames - m * m);
            mean[d] = (float)m;
            std[d] = (float)Math.Sqrt(variance + Epsilon);
        }
        return new FeatureNormalizer(mean, std);
    }

    /// <summary>Normalises <paramref name="utterance"/> by its own statistics.</summary>
    public static FeatureMatrix PerUtterance(FeatureMatrix utterance) => Fit([utterance]).Apply(utterance);

    /// <summary>(x − μ) / σ, a new matrix.</summary>
    public FeatureMatrix Apply(FeatureMatrix features)
    {
        if (features.Dimensions != Mean.Length)
            throw new ArgumentException($"features of {features.Dimensions} dimensions for a normaliser of {Mean.Length}", nameof(features));
        var result = new float[features.Values.Length];
        int D = features.Dimensions;
        for (int i = 0; i < result.Length; i++) result[i] = (features.Values[i] - Mean[i % D]) / Std[i % D];
        return new FeatureMatrix(result, features.Frames, D);
    }
}
