namespace RecurrentSharp.Tasks;

/// <summary>
/// Where a listen-attend-spell speller looked while it spelled one recording: one row per output token (the letters,
/// then the end token when it chose one), one weight per listener frame (each row sums to 1).
/// </summary>
/// <param name="Tokens">The output tokens, one per row.</param>
/// <param name="Weights">Weights[i][s]: the weight token i gave listener frame s.</param>
public sealed record SpellerAttention(IReadOnlyList<string> Tokens, IReadOnlyList<float[]> Weights);

/// <summary>
/// One recording as a recogniser heard it: its log-mel spectrogram, and under it for a CTC recogniser the class its
/// best path emits at every output frame, for a listen-attend-spell one where its speller looked while spelling,
/// and the decoded text beside the truth.
/// </summary>
/// <param name="Recording">The recording's file name.</param>
/// <param name="LogMel">The log-mel energies, <paramref name="Frames"/> rows of <paramref name="Bands"/> (lowest band first), natural log.</param>
/// <param name="Frames">Spectrogram frames.</param>
/// <param name="Bands">Mel bands.</param>
/// <param name="HopSeconds">Seconds from one spectrogram frame to the next.</param>
/// <param name="BestPath">CTC: the arg-max label of every output frame, a character or null for the blank; empty for a speller.</param>
/// <param name="FramesPerOutput">Spectrogram frames per output (or listener) frame (2 after a pyramidal layer, else 1).</param>
/// <param name="Decoded">The decoded text (CTC: the best path with repeats collapsed and blanks dropped).</param>
/// <param name="Truth">What was said.</param>
/// <param name="Attention">Listen-attend-spell: the speller's attention over the listener frames; null for CTC.</param>
public sealed record SpectrogramAlignment(string Recording, float[] LogMel, int Frames, int Bands, double HopSeconds, IReadOnlyList<string?> BestPath,
    int FramesPerOutput, string Decoded, string Truth, SpellerAttention? Attention = null) : TaskInsight;
