using System.Globalization;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// A deep recurrent network whose layers may be of different kinds and sizes (say a bidirectional GRU
/// under an LSTM under a peephole LSTM): each layer reads the previous layer's output sequence, with
/// dropout between layers in training mode. Layers are named "0", "1", ... in the state dict.
/// </summary>
public sealed class StackedRnn : Module, IRecurrentLayer
{
    private readonly IRecurrentLayer[] layers;
    private readonly RandomGenerator random;

    /// <summary>Stacks the layers (each layer's input size must equal the previous layer's output size).</summary>
    public StackedRnn(IReadOnlyList<IRecurrentLayer> layers, float dropout = 0f, RandomGenerator? random = null)
    {
        if (layers.Count == 0) throw new ArgumentException("StackedRnn needs at least one layer.");
        for (int i = 1; i < layers.Count; i++)
            if (layers[i].InputSize != layers[i - 1].OutputSize)
                throw new ArgumentException($"StackedRnn: layer {i} expects {layers[i].InputSize} input features, layer {i - 1} gives {layers[i - 1].OutputSize}.");
        if (layers.Any(l => l.BatchFirst != layers[0].BatchFirst))
            throw new ArgumentException("StackedRnn: all layers must share the same batchFirst layout.");
        if (dropout < 0f || dropout >= 1f) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1).");
        this.layers = [.. layers];
        Dropout = dropout;
        this.random = random ?? RandomGenerator.Default;
        for (int i = 0; i < this.layers.Length; i++)
            if (this.layers[i] is Module m) RegisterModule(i.ToString(CultureInfo.InvariantCulture), m);
    }

    /// <summary>The layers, bottom first.</summary>
    public IReadOnlyList<IRecurrentLayer> Layers => layers;

    /// <summary>Dropout between layers (training only).</summary>
    public float Dropout { get; }

    /// <inheritdoc/>
    public int InputSize => layers[0].InputSize;

    /// <inheritdoc/>
    public int OutputSize => layers[^1].OutputSize;

    /// <inheritdoc/>
    public bool BatchFirst => layers[0].BatchFirst;

    /// <summary>
    /// Runs every layer from zero initial states; the returned h_n and c_n are the top layer's. Use
    /// <see cref="ForwardLayers"/> for per-layer initial and final states.
    /// </summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        if (h0 is not null || c0 is not null)
            throw new ArgumentException("StackedRnn: layers may differ in state shape; pass per-layer initial states to ForwardLayers.");
        return ForwardLayers(input, null, lengths)[^1];
    }

    /// <summary>
    /// Runs every layer with its own initial states (<paramref name="initial"/>[i] = (h0, c0) of layer i, or
    /// null for zeros) and returns every layer's result; the last one's output is the stack's output.
    /// </summary>
    public IReadOnlyList<RecurrentOutput> ForwardLayers(Tensor input, IReadOnlyList<(Tensor? H0, Tensor? C0)>? initial, int[]? lengths = null)
    {
        if (initial is not null && initial.Count != layers.Length)
            throw new ArgumentException($"StackedRnn: {initial.Count} initial states for {layers.Length} layers.");
        var results = new List<RecurrentOutput>();
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            var result = layers[i].Forward(x, initial?[i].H0, initial?[i].C0, lengths);
            results.Add(result);
            x = i < layers.Length - 1 && Dropout > 0f && Training ? result.Output.Dropout(Dropout, true, random) : result.Output;
        }
        results[^1] = results[^1] with { Output = x };
        return results;
    }
}
