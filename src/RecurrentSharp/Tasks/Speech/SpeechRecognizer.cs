using RecurrentSharp.Data;
using RecurrentSharp.Data.Audio;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Speech;

/// <summary>
/// What the speech task needs of a recogniser, whichever it is: the training loss of a batch of spoken words and the
/// text it hears in recordings. <see cref="CtcSpelling"/> (BiLSTM + CTC) and <see cref="AttentionSpelling"/> (listen,
/// attend and spell) are the two; a saved model names its kind in the metadata key <c>recognizer</c>.
/// </summary>
internal abstract class SpeechRecognizer
{
    /// <summary>The letters of the digit words, in order ('efghinorstuvwxz').</summary>
    public static readonly string Letters = new(SpokenDigitRecordings.Words.SelectMany(w => w).Distinct().Order().ToArray());

    /// <summary>A BiLSTM + CTC recogniser.</summary>
    public static SpeechRecognizer Ctc(CtcSpeechRecognizerConfig config, RandomGenerator? random = null) => new CtcSpelling(new CtcSpeechRecognizer(config, random));

    /// <summary>A listen-attend-spell recogniser.</summary>
    public static SpeechRecognizer Las(ListenAttendSpellConfig config, RandomGenerator? random = null) => new AttentionSpelling(new ListenAttendSpell(config, random));

    /// <summary>The model's parameters and mode.</summary>
    public abstract Module Module { get; }

    /// <summary>"ctc" or "las", as <c>--model</c> names it.</summary>
    public abstract string Kind { get; }

    /// <summary>The mean training loss of padded features (B, T, F) whose recordings say <paramref name="words"/>.</summary>
    public abstract Tensor Loss(Tensor features, int[] lengths, string[] words);

    /// <summary>The text heard in padded features (B, T, F), in evaluation mode and without gradients.</summary>
    protected abstract string[] Hear(Tensor features, int[] lengths, int beam);

    /// <summary>The decoded text of each recording in <paramref name="indices"/>, batches of 32.</summary>
    public string[] Decode(FeatureMatrix[] features, int[] indices, int beam)
    {
        using var evaluating = Module.Evaluating();
        using var noGrad = new NoGradScope();
        var result = new string[indices.Length];
        foreach (var part in BatchOrder.Sequential(indices.Length, 32))
        {
            var (x, lengths) = Pad(part.Select(k => features[indices[k]]).ToArray());
            var heard = Hear(x, lengths, beam);
            for (int b = 0; b < part.Length; b++) result[part[b]] = heard[b];
        }
        return result;
    }

    /// <summary>
    /// What the report draws under one recording's spectrogram: a CTC model's best path (a letter or null for the blank
    /// at every output frame), a speller's attention over the listener frames, the decoded text, and spectrogram frames
    /// per output frame.
    /// </summary>
    public abstract (IReadOnlyList<string?> BestPath, SpellerAttention? Attention, string Decoded, int FramesPerOutput) Explain(FeatureMatrix features);

    /// <summary>Saves the model with its settings and <paramref name="metadata"/> (which must name the kind).</summary>
    public abstract void Save(string path, string task, IReadOnlyDictionary<string, string> metadata);

    /// <summary>The recogniser of a saved speech model (a model without the <c>recognizer</c> key, saved before LAS came, is a CTC one).</summary>
    public static SpeechRecognizer Load(SavedModel saved, int sampleRate)
    {
        saved.RequireTask("speech");
        if (saved.Require("letters") != Letters) throw new ModelFormatException($"{saved.Path}: its letters '{saved.Require("letters")}' are not the digit words' '{Letters}'.");
        if (saved.RequireInt("sample_rate", 1) != sampleRate) throw new ModelFormatException($"{saved.Path}: trained on {saved.Require("sample_rate")} Hz audio, this version reads {sampleRate} Hz.");
        string? named = saved.Metadata.TryGetValue("recognizer", out var kindName) ? kindName : null;
        string kind = named ?? "ctc";
        var recognizer = kind switch
        {
            "ctc" => Ctc(saved.Config<CtcSpeechRecognizerConfig>()),
            "las" => Las(saved.Config<ListenAttendSpellConfig>()),
            _ => throw new ModelFormatException($"{saved.Path}: the speech model kind '{kind}' is neither ctc nor las."),
        };
        if (named is null && !saved.File.Tensors.Any(t => t.Name.StartsWith("listener.", StringComparison.Ordinal))) LoadBeforeLas(saved, recognizer.Module);
        else saved.LoadInto(recognizer.Module);
        recognizer.Module.Eval();
        return recognizer;
    }

    /// <summary>
    /// A CTC model saved before LAS came names its listener's tensors <c>encoder.*</c> and <c>pyramid.*</c>, where
    /// today's model has <c>listener.encoder.*</c> and <c>listener.pyramid.*</c>: the listener is read from the
    /// unprefixed names, the head from <c>head.*</c>, each strictly.
    /// </summary>
    private static void LoadBeforeLas(SavedModel saved, Module model)
    {
        var children = model.NamedChildren().ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        StateDictFile.LoadInto(children["listener"], saved.File, strict: true, ignore: name => name.StartsWith("head.", StringComparison.Ordinal));
        StateDictFile.LoadInto(children["head"], saved.File, strict: true, prefix: "head.");
    }

    /// <summary>Pads the features of a batch into (B, T_max, F) with zeros.</summary>
    public static (Tensor X, int[] Lengths) Pad(FeatureMatrix[] batch)
    {
        int steps = batch.Max(f => f.Frames), dims = batch[0].Dimensions;
        var x = new float[batch.Length * steps * dims];
        var lengths = new int[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            var f = batch[b];
            f.Values.CopyTo(x.AsSpan(b * steps * dims));
            lengths[b] = f.Frames;
        }
        return (Tensor.Wrap(x, batch.Length, steps, dims), lengths);
    }
}
