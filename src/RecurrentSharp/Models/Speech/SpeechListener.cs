using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// The acoustic encoder of the speech models ("listener" in Listen, Attend and Spell): frame features (B, T, F) →
/// bidirectional LSTM layers → optionally one pyramidal BiLSTM layer over concatenated pairs of frames
/// [h_{2i} | h_{2i+1}], which halves the frame rate. Output (B, T', 2H), zero beyond each sequence's length.
/// </summary>
public sealed class SpeechListener : Module
{
    private readonly RecurrentLayer lower;
    private readonly RecurrentLayer? pyramid;
    private readonly Dropout dropout;

    /// <summary>Builds <paramref name="layers"/> BiLSTM layers of <paramref name="hiddenSize"/> per direction, the top one pyramidal when asked.</summary>
    public SpeechListener(int inputSize, int hiddenSize, int layers, bool pyramidal, float dropout, RandomGenerator random)
    {
        int plain = pyramidal ? layers - 1 : layers;
        if (plain < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "a pyramidal listener needs at least 2 layers, a plain one at least 1");
        Pyramidal = pyramidal;
        var lstm = CellSpec.Parse("lstm");
        lower = RegisterModule("encoder", RecurrentLayer.Create(lstm, inputSize, hiddenSize, plain, batchFirst: true,
            dropout: dropout, bidirectional: true, random: random));
        if (pyramidal)
            pyramid = RegisterModule("pyramid", RecurrentLayer.Create(lstm, 2 * lower.OutputSize, hiddenSize, 1, batchFirst: true,
                bidirectional: true, random: random));
        this.dropout = RegisterModule("dropout", new Dropout(dropout, random));
        OutputSize = 2 * hiddenSize;
    }

    /// <summary>Whether the top layer halves the frame rate.</summary>
    public bool Pyramidal { get; }

    /// <summary>The width of each output frame, 2H.</summary>
    public int OutputSize { get; }

    /// <summary>The number of output frames for an input of <paramref name="frames"/> frames (⌈T/2⌉ with the pyramid).</summary>
    public int OutputLength(int frames) => Pyramidal ? (frames + 1) / 2 : frames;

    /// <summary>The encoded frames (B, T', 2H) of padded features (B, T, F) with their lengths.</summary>
    public Tensor Forward(Tensor features, int[] lengths)
    {
        var x = lower.Forward(features, null, null, lengths).Output;          // (B, T, 2H), zero beyond each length
        if (pyramid is null) return x;
        int batch = x.Size(0), steps = x.Size(1), width = x.Size(2);
        if (steps % 2 == 1)
        {
            x = Tensor.Concat([x, Tensor.Zeros(batch, 1, width)], 1);         // an odd last frame pairs with zeros
            steps++;
        }
        x = x.Reshape(batch, steps / 2, 2 * width);                            // [h_{2i} | h_{2i+1}]
        return pyramid.Forward(dropout.Forward(x), null, null, lengths.Select(OutputLength).ToArray()).Output;
    }
}
