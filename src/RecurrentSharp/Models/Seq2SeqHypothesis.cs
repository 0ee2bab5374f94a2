namespace RecurrentSharp.Models;

/// <summary>
/// One finished output of <see cref="Seq2Seq.BeamSearchHypotheses"/>: its tokens (without begin and end), log P(y | x)
/// (the end token's included when it <paramref name="Ended"/>; without, it stopped at the maximum length) and the
/// length-normalised score it was ranked by.
/// </summary>
public readonly record struct Seq2SeqHypothesis(int[] Tokens, double LogProbability, double Score, bool Ended);
