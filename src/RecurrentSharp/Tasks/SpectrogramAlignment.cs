namespace RecurrentSharp.Tasks;

/// <summary>
/// One recording as a CTC recogniser heard it: its log-mel spectrogram, the class its best path emits at every
/// output frame, and the decoded text beside the truth.
/// </summary>
/// <param name="Recording">The recording's file name.</param>
/// <param name="LogMel">The log-mel energies, <paramref name="Frames"/> rows of <paramref name="Bands"/> (lowest band first), natural log.</param>
/// <param name="Frames">Spectrogram frames.</param>
/// <param name="Bands">Mel bands.</param>
/// <param name="HopSeconds">Seconds from one spectrogram frame to the next.</param>
/// <param name="BestPath">The arg-max label of every output frame: a character, or null for the blank.</param>
/// <param name="FramesPerOutput">Spectrogram frames per output frame (2 after a pyramidal layer, else 1).</param>
/// <param name="Decoded">The best path with repeats collapsed and blanks dropped.</param>
/// <param name="Truth">What was said.</param>
public sealed record SpectrogramAlignment(string Recording, float[] LogMel, int Frames, int Bands, double HopSeconds, IReadOnlyList<string?> BestPath,
    int FramesPerOutput, string Decoded, string Truth) : TaskInsight;
