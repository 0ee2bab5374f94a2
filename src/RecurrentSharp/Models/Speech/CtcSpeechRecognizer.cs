using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>The settings of a <see cref="CtcSpeechRecognizer"/>, stored with a saved model.</summary>
/// <param name="InputSize">Features per frame (e.g. 40 log-mel bands).</param>
/// <param name="Classes">CTC classes including the blank (index 0).</param>
/// <param name="HiddenSize">Hidden size of each direction.</param>
/// <param name="Layers">Bidirectional LSTM layers (2 or 3 is usual).</param>
/// <param name="Pyramidal">The top layer reads pairs of frames of the layer below (Listen, Attend and Spell's pyramid): half the frame rate.</param>
/// <param name="Dropout">Dropout between layers and before the output layer.</param>
public sealed record CtcSpeechRecognizerConfig(int InputSize, int Classes, int HiddenSize = 128, int Layers = 2, bool Pyramidal = true, float Dropout = 0.2f);

/// <summary>
/// Speech to characters with CTC: frame features (B, T, F) → <see cref="SpeechListener"/> (bidirectional LSTM layers,
/// optionally a pyramidal top layer over pairs of frames) → dropout → Linear → log_softmax,
/// returned time first, (T', B, C), the layout of PyTorch's (and our) CTC loss.
/// </summary>
public sealed class CtcSpeechRecognizer : Module
{
    private readonly SpeechListener listener;
    private readonly Dropout dropout;
    private readonly Linear head;

    /// <summary>Builds the model.</summary>
    public CtcSpeechRecognizer(CtcSpeechRecognizerConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Config = config;
        listener = RegisterModule("listener", new SpeechListener(config.InputSize, config.HiddenSize, config.Layers, config.Pyramidal, config.Dropout, random));
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        head = RegisterModule("head", new Linear(listener.OutputSize, config.Classes, random: random));
    }

    /// <summary>The settings.</summary>
    public CtcSpeechRecognizerConfig Config { get; }

    /// <summary>The number of output frames for an input of <paramref name="frames"/> frames (⌈T/2⌉ with the pyramid).</summary>
    public int OutputLength(int frames) => listener.OutputLength(frames);

    /// <summary>Log-probabilities (T', B, C) for padded features (B, T, F) with their lengths; the output lengths are <see cref="OutputLength"/> of each.</summary>
    public Tensor Forward(Tensor features, int[] lengths)
    {
        var logits = head.Forward(dropout.Forward(listener.Forward(features, lengths)));   // (B, T', C)
        return logits.Transpose(0, 1).LogSoftmax(2);                                       // (T', B, C)
    }
}
