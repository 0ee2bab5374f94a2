using RecurrentSharp.Data.Audio;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Speech;

/// <summary>The BiLSTM + CTC recogniser: classes are the blank (0) and the letters (1..); greedy best path or prefix beam search.</summary>
internal sealed class CtcSpelling(CtcSpeechRecognizer model) : SpeechRecognizer
{
    /// <inheritdoc/>
    public override Module Module => model;

    /// <inheritdoc/>
    public override string Kind => "ctc";

    /// <inheritdoc/>
    public override Tensor Loss(Tensor features, int[] lengths, string[] words)
    {
        var logProbs = model.Forward(features, lengths);
        var targets = CtcTargets.FromSequences(words.Select(w => w.Select(c => Letters.IndexOf(c) + 1).ToArray()).ToArray());
        return Losses.CtcLoss(logProbs, targets, lengths.Select(model.OutputLength).ToArray(), blank: 0, Reduction.Mean);
    }

    /// <inheritdoc/>
    protected override string[] Hear(Tensor features, int[] lengths, int beam)
    {
        var logProbs = model.Forward(features, lengths);                  // (T', B, C)
        int B = lengths.Length, C = logProbs.Size(2);
        var y = logProbs.Data;
        var result = new string[B];
        for (int b = 0; b < B; b++)
        {
            int frames = model.OutputLength(lengths[b]);
            var rows = y[(b * C)..];
            var labels = beam <= 1
                ? CtcGreedyDecoder.Decode(rows, frames, C, B * C, blank: 0)
                : CtcPrefixBeamSearch.Decode(rows, frames, C, B * C, blank: 0, beam)[0].Labels;
            result[b] = new string(labels.Select(l => Letters[l - 1]).ToArray());
        }
        return result;
    }

    /// <inheritdoc/>
    public override (IReadOnlyList<string?> BestPath, SpellerAttention? Attention, string Decoded, int FramesPerOutput) Explain(FeatureMatrix features)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var (x, lengths) = Pad([features]);
        var logProbs = model.Forward(x, lengths);                  // (T', 1, C)
        int frames = model.OutputLength(lengths[0]), classes = logProbs.Size(2);
        var path = CtcGreedyDecoder.BestPath(logProbs.Data, frames, classes, classes);
        var decoded = new string(CtcGreedyDecoder.Collapse(path, blank: 0).Select(l => Letters[l - 1]).ToArray());
        return (path.Select(k => k == 0 ? null : Letters[k - 1].ToString()).ToArray(), null, decoded, model.Config.Pyramidal ? 2 : 1);
    }

    /// <inheritdoc/>
    public override void Save(string path, string task, IReadOnlyDictionary<string, string> metadata) => SavedModel.Save(path, task, model, model.Config, metadata);
}
