namespace RecurrentSharp.Data.Audio;

/// <summary>
/// Speed perturbation (Ko et al. 2015): the signal played <c>factor</c> times faster, which shortens it and
/// shifts every frequency (pitch and formants) by the same factor, a cheap stand-in for other speakers'
/// vocal tracts. y[i] = x(i·factor) by linear interpolation between neighbouring samples.
/// </summary>
/// <remarks>
/// Linear interpolation is not a band-limited resampler: speeding up (factor &gt; 1) folds content above
/// rate/(2·factor) back below it. For factors within ±10% on speech, whose energy lies far below the
/// Nyquist frequency, that error is small against the change it imitates.
/// </remarks>
public static class SpeedPerturbation
{
    /// <summary>The perturbed signal, ⌊(N − 1)/factor⌋ + 1 samples long.</summary>
    public static float[] Apply(ReadOnlySpan<float> signal, double factor)
    {
        if (!(factor > 0.5 && factor < 2)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the speed factor must be between 0.5 and 2");
        if (signal.Length == 0) return [];
        int length = (int)Math.Floor((signal.Length - 1) / factor) + 1;
        var result = new float[length];
        for (int i = 0; i < length; i++)
        {
            double position = i * factor;
            int left = (int)position;
            double fraction = position - left;
            float next = left + 1 < signal.Length ? signal[left + 1] : signal[left];
            result[i] = (float)(signal[left] + fraction * (next - signal[left]));
        }
        return result;
    }
}
