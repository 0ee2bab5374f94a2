using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Speech;

/// <summary>
/// The listen-attend-spell recogniser: tokens are padding (0), begin (1), end (2) and the letters (3..); trained with
/// the per-character cross-entropy under teacher forcing (the end token included), decoded greedily.
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

    /// <summary>What --beam with a listen-attend-spell model is told.</summary>
    public const string GreedyOnly = "--beam: a listen-attend-spell model decodes greedily (beam search is for CTC models).";

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
        var logits = model.Forward(features, lengths, input);                       // (B, U, V)
        return Losses.CrossEntropy(logits, target.Ids, mask: target.Mask());
    }

    /// <inheritdoc/>
    protected override string[] Hear(Tensor features, int[] lengths, int beam)
    {
        if (beam > 1) throw new TaskUsageException(GreedyOnly);
        var (tokens, _) = model.GreedyDecode(features, lengths, MaxLength);
        return tokens.Select(t => new string(t.Where(id => id >= 3 && id < Vocabulary).Select(id => Letters[id - 3]).ToArray())).ToArray();
    }

    /// <inheritdoc/>
    public override void Save(string path, string task, IReadOnlyDictionary<string, string> metadata) => SavedModel.Save(path, task, model, model.Config, metadata);
}
