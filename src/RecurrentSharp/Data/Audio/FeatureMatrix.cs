namespace RecurrentSharp.Data.Audio;

/// <summary>Frame-wise features of one utterance: <see cref="Frames"/> rows of <see cref="Dimensions"/> values, row-major.</summary>
public sealed record FeatureMatrix(float[] Values, int Frames, int Dimensions)
{
    /// <summary>The features of frame <paramref name="t"/>.</summary>
    public Span<float> Row(int t) => Values.AsSpan(t * Dimensions, Dimensions);
}
