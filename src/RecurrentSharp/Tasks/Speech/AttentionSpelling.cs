using RecurrentSharp.Data.Audio;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Speech;

/// <summary>
/// The listen-attend-spell recogniser: tokens are padding (0), begin (1), end (2) and the letters (3..); trained with
/// the per-character cross-entropy under teacher forcing (the end token included), with a CTC head beside it when the
/// model has one (λ·CTC + (1 − λ)·cross-entropy; CTC's blank is the padding token); decoded greedily or by beam search.
/// </summary>
internal sealed class AttentionSpelling(ListenAttendSpell model) : SpeechRecognizer
{
    /// <summary>The begin token.</summary>
    public const int Begin = 1;

    /// <summary>The end token.</summary>
    public const int End = 2;

    /// <summary>Padding, begin, end and the letters.</summary>
    public static int Vocabulary => 3 + Letters.Length;

    /// <summary>The longest spelling greedy decoding produces (the longest digit word has 5 letters).</summary>
    private const int MaxLength = 10;

    /// <summary>α of the beam's length normalisation, log P / (|y| + 1)^α.</summary>
    private const double LengthPenalty = 1.0;

    /// <inheritdoc/>
    public override Module Module => model;

    /// <inheritdoc/>
    public override string Kind => "las";

    /// <inheritdoc/>
    public override Tensor Loss(Tensor features, int[] lengths, string[] words)
    {
        var spelled = words.Select(w => w.Select(c => Letters.IndexOf(c) + 3).ToArray()).ToArray();
        var input = PaddedSequences.FromSequences(spelled.Select(s => (IReadOnlyList<int>)[Begin, .. s]).ToArray());
        var target = PaddedSequences.FromSequences(spelled.Select(s => (IReadOnlyList<int>)[.. s, End]).ToArray());
        float weight = model.Config.CtcWeight;              // λ
        if (weight == 0f) return Losses.CrossEntropy(model.Forward(features, lengths, input), target.Ids, mask: target.Mask());
        var (logits, ctcLogProbs) = model.ForwardJoint(features, lengths, input);   // (B, U, V), (T', B, V)
        var attention = Losses.CrossEntropy(logits, target.Ids, mask: target.Mask());
        var ctc = Losses.CtcLoss(ctcLogProbs, CtcTargets.FromSequences(spelled), lengths.Select(model.EncodedLength).ToArray(), blank: 0, Reduction.Mean);
        return weight * ctc + (1f - weight) * attention;
    }

    /// <inheritdoc/>
    protected override string[] Hear(Tensor features, int[] lengths, int beam)
    {
        var tokens = beam <= 1
            ? model.GreedyDecode(features, lengths, MaxLength).Tokens
            : model.BeamDecode(features, lengths, MaxLength, beam, LengthPenalty).Select(h => h[0].Tokens).ToArray();
        return tokens.Select(Spelling).ToArray();
    }

    /// <summary>The letters of a token sequence.</summary>
    private static string Spelling(int[] tokens) => new(tokens.Where(id => id >= 3 && id < Vocabulary).Select(id => Letters[id - 3]).ToArray());

    /// <inheritdoc/>
    public override (IReadOnlyList<string?> BestPath, SpellerAttention? Attention, string Decoded, int FramesPerOutput) Explain(FeatureMatrix features)
    {
        using var evaluating = model.Evaluating();
        var (x, lengths) = Pad([features]);
        var (tokens, weights) = model.GreedyDecode(x, lengths, MaxLength);
        // one row per step: the letters, then the end token when the speller chose it within MaxLength steps
        var labels = tokens[0].Select(id => id >= 3 && id < Vocabulary ? Letters[id - 3].ToString() : $"<{id}>").ToList();
        if (weights[0].Length > labels.Count) labels.Add("⟨end⟩");
        return ([], new SpellerAttention(labels, weights[0]), Spelling(tokens[0]), model.Config.Pyramidal ? 2 : 1);
    }

    /// <inheritdoc/>
    public override void Save(string path, string task, IReadOnlyDictionary<string, string> metadata) => SavedModel.Save(path, task, model, model.Config, metadata);
}
