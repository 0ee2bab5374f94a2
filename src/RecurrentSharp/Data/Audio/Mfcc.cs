namespace RecurrentSharp.Data.Audio;

/// <summary>
/// Mel-frequency cepstral coefficients from log-mel features, and their time derivatives (deltas).
/// </summary>
/// <remarks>
/// <code>
/// c_t[j] = s_j · Σ_b logmel_t[b] · cos(π·j·(b + ½) / B),  s_0 = √(1/B), s_j = √(2/B)      (orthonormal DCT-II, j &lt; coefficients)
/// Δ_t = Σ_{n=1..W} n·(c_{t+n} − c_{t−n}) / (2·Σ_{n=1..W} n²)                          (frames beyond the ends repeat the edge frame)
/// </code>
/// </remarks>
public static class Mfcc
{
    /// <summary>The first <paramref name="coefficients"/> cepstral coefficients of each frame.</summary>
    public static FeatureMatrix FromLogMel(FeatureMatrix logMel, int coefficients = 13)
    {
        int bands = logMel.Dimensions;
        if (coefficients < 1 || coefficients > bands)
            throw new ArgumentOutOfRangeException(nameof(coefficients), coefficients, $"between 1 and the {bands} mel bands");
        var basis = new double[coefficients * bands];
        for (int j = 0; j < coefficients; j++)
        {
            double scale = Math.Sqrt((j == 0 ? 1.0 : 2.0) / bands);
            for (int b = 0; b < bands; b++) basis[j * bands + b] = scale * Math.Cos(Math.PI * j * (b + 0.5) / bands);
        }
        var result = new float[logMel.Frames * coefficients];
        for (int t = 0; t < logMel.Frames; t++)
        {
            var row = logMel.Row(t);
            for (int j = 0; j < coefficients; j++)
            {
                double c = 0;
                for (int b = 0; b < bands; b++) c += basis[j * bands + b] * row[b];
                result[t * coefficients + j] = (float)c;
            }
        }
        return new FeatureMatrix(result, logMel.Frames, coefficients);
    }

    /// <summary>The regression deltas of every dimension over ±<paramref name="width"/> frames.</summary>
    public static FeatureMatrix Deltas(FeatureMatrix features, int width = 2)
    {
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "the delta width must be at least 1");
        int T = features.Frames, D = features.Dimensions;
        double denominator = 0;
        for (int n = 1; n <= width; n++) denominator += 2.0 * n * n;
        var result = new float[T * D];
        for (int t = 0; t < T; t++)
            for (int d = 0; d < D; d++)
            {
                double sum = 0;
                for (int n = 1; n <= width; n++)
                {
                    int ahead = Math.Min(T - 1, t + n), behind = Math.Max(0, t - n);
                    sum += n * (features.Values[ahead * D + d] - features.Values[behind * D + d]);
                }
                result[t * D + d] = (float)(sum / denominator);
            }
        return new FeatureMatrix(result, T, D);
    }

    /// <summary>The features with their deltas and delta-deltas side by side: (frames, 3·dimensions).</summary>
    public static FeatureMatrix WithDeltas(FeatureMatrix features, int width = 2)
    {
        var d1 = Deltas(features, width);
        var d2 = Deltas(d1, width);
        int T = features.Frames, D = features.Dimensions;
        var result = new float[T * 3 * D];
        for (int t = 0; t < T; t++)
        {
            features.Row(t).CopyTo(result.AsSpan(t * 3 * D, D));
            d1.Row(t).CopyTo(result.AsSpan(t * 3 * D + D, D));
            d2.Row(t).CopyTo(result.AsSpan(t * 3 * D + 2 * D, D));
        }
        return new FeatureMatrix(result, T, 3 * D);
    }
}
