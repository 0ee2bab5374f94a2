using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
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
/// Speech to characters with CTC: frame features (B, T, F) → bidirectional LSTM layers → (optionally) one
/// pyramidal BiLSTM layer over concatenated pairs of frames [h_{2i} | h_{2i+1}] → dropout → Linear → log_softmax,
/// returned time first, (T', B, C), the layout of PyTorch's (and our) CTC loss.
/// </summary>
public sealed class CtcSpeechRecognizer : Module
{
    private readonly RecurrentLayer lower;
    private readonly RecurrentLayer? pyramid;
    private readonly Dropout dropout;
    private readonly Linear head;

    /// <summary>Builds the model.</summary>
    public CtcSpeechRecognizer(CtcSpeechRecognizerConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        int plain = config.Pyramidal ? config.Layers - 1 : config.Layers;
        if (plain < 1) throw new ArgumentOutOfRangeException(nameof(config), config.Layers, "a pyramidal recognizer needs at least 2 layers, a plain one at least 1");
        Config = config;
        var lstm = CellSpec.Parse("lstm");
        lower = RegisterModule("encoder", RecurrentLayer.Create(lstm, config.InputSize, config.HiddenSize, plain, batchFirst: true,
            dropout: config.Dropout, bidirectional: true, random: random));
        if (config.Pyramidal)
            pyramid = RegisterModule("pyramid", RecurrentLayer.Create(lstm, 2 * lower.OutputSize, config.HiddenSize, 1, batchFirst: true,
                bidirectional: true, random: random));
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        head = RegisterModule("head", new Linear(2 * config.HiddenSize, config.Classes, random: random));
    }

    /// <summary>The settings.</summary>
    public CtcSpeechRecognizerConfig Config { get; }

    /// <summary>The number of output frames for an input of <paramref name="frames"/> frames (⌈T/2⌉ with the pyramid).</summary>
    public int OutputLength(int frames) => Config.Pyramidal ? (frames + 1) / 2 : frames;

    /// <summary>Log-probabilities (T', B, C) for padded features (B, T, F) with their lengths; the output lengths are <see cref="OutputLength"/> of each.</summary>
    public Tensor Forward(Tensor features, int[] lengths)
    {
        var x = lower.Forward(features, null, null, lengths).Output;          // (B, T, 2H), zero beyond each length
        if (pyramid is not null)
        {
            int batch = x.Size(0), steps = x.Size(1), width = x.Size(2);
            if (steps % 2 == 1)
            {
                x = Tensor.Concat([x, Tensor.Zeros(batch, 1, width)], 1);     // an odd last frame pairs with zeros
                steps++;
            }
            x = x.Reshape(batch, steps / 2, 2 * width);                        // [h_{2i} | h_{2i+1}]
            x = pyramid.Forward(dropout.Forward(x), null, null, lengths.Select(OutputLength).ToArray()).Output;
        }
        var logits = head.Forward(dropout.Forward(x));                         // (B, T', C)
        return logits.Transpose(0, 1).LogSoftmax(2);                           // (T', B, C)
    }
}
