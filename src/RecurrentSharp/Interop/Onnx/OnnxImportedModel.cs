using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>What <see cref="OnnxImporter"/> made of an ONNX graph.</summary>
/// <param name="Network">
/// A <see cref="RecurrentLayer"/> (a graph of RNN / LSTM / GRU nodes: feed the graph's input, initial states and
/// lengths to <see cref="RecurrentLayer.Forward"/>; it returns the graph's output, h_n and c_n), or a
/// <see cref="SequenceClassifier"/> (embedding, recurrent layers, the last step, a linear layer:
/// its logits, softmaxed when <paramref name="Softmax"/>).
/// </param>
/// <param name="Recurrent">The recurrent layers (the network itself, or the classifier's encoder).</param>
/// <param name="Input">The graph input holding the sequences (or the token ids of a classifier).</param>
/// <param name="InitialHidden">The graph input holding h0, or null when the graph starts from zeros.</param>
/// <param name="InitialCell">The graph input holding c0, or null.</param>
/// <param name="Lengths">The graph input feeding sequence_lens, or null when every sequence runs all T steps.</param>
/// <param name="Outputs">The graph's output names, in order (output, h_n [, c_n]; or the classifier's one output).</param>
/// <param name="Softmax">True when the classifier graph ends in Softmax.</param>
public sealed record OnnxImportedModel(Module Network, RecurrentLayer Recurrent, string Input, string? InitialHidden, string? InitialCell,
    string? Lengths, IReadOnlyList<string> Outputs, bool Softmax);
