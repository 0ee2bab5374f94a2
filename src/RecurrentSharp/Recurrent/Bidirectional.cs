using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>How a <see cref="Bidirectional"/> wrapper combines the two directions' outputs.</summary>
public enum MergeMode
{
    /// <summary>[forward | backward] on the feature axis (2H features).</summary>
    Concat,

    /// <summary>forward + backward.</summary>
    Sum,

    /// <summary>(forward + backward) / 2.</summary>
    Mean,

    /// <summary>forward ⊙ backward.</summary>
    Multiply,
}

/// <summary>
/// Runs one recurrent layer forward in time and another over the time-reversed input (each sequence
/// reversed within its own length), reverses the second output back, and merges the two (Keras'
/// Bidirectional wrapper). Works around any unidirectional <see cref="IRecurrentLayer"/>.
/// </summary>
public sealed class Bidirectional : Module, IRecurrentLayer
{
    /// <summary>Wraps a pair of layers with the same input size, output size and layout.</summary>
    public Bidirectional(IRecurrentLayer forward, IRecurrentLayer backward, MergeMode mode = MergeMode.Concat)
    {
        if (forward.InputSize != backward.InputSize || forward.OutputSize != backward.OutputSize || forward.BatchFirst != backward.BatchFirst)
            throw new ArgumentException($"Bidirectional: the two layers differ (input {forward.InputSize}/{backward.InputSize}, output {forward.OutputSize}/{backward.OutputSize}, batchFirst {forward.BatchFirst}/{backward.BatchFirst}).");
        if (forward is RecurrentLayer { Bidirectional: true } || backward is RecurrentLayer { Bidirectional: true })
            throw new ArgumentException("Bidirectional: wrap unidirectional layers (or use bidirectional: true on the layer itself).");
        ForwardLayer = forward;
        BackwardLayer = backward;
        Mode = mode;
        if (forward is Module f) RegisterModule("forward_layer", f);
        if (backward is Module b) RegisterModule("backward_layer", b);
    }

    /// <summary>The layer that reads the sequence in order.</summary>
    public IRecurrentLayer ForwardLayer { get; }

    /// <summary>The layer that reads the reversed sequence.</summary>
    public IRecurrentLayer BackwardLayer { get; }

    /// <summary>The merge mode.</summary>
    public MergeMode Mode { get; }

    /// <inheritdoc/>
    public int InputSize => ForwardLayer.InputSize;

    /// <inheritdoc/>
    public int OutputSize => Mode == MergeMode.Concat ? 2 * ForwardLayer.OutputSize : ForwardLayer.OutputSize;

    /// <inheritdoc/>
    public bool BatchFirst => ForwardLayer.BatchFirst;

    /// <summary>
    /// Runs both directions and merges them. Initial states, if given, hold the forward layer's rows first,
    /// then the backward layer's; the returned h_n and c_n are laid out the same way.
    /// </summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        var (h0f, h0b) = Halves(h0);
        var (c0f, c0b) = Halves(c0);
        var ahead = ForwardLayer.Forward(input, h0f, c0f, lengths);
        var back = BackwardLayer.Forward(SequenceReversal.Reverse(input, lengths, BatchFirst), h0b, c0b, lengths);
        var backOutput = SequenceReversal.Reverse(back.Output, lengths, BatchFirst);
        var output = Mode switch
        {
            MergeMode.Concat => Tensor.Concat([ahead.Output, backOutput], 2),
            MergeMode.Sum => ahead.Output + backOutput,
            MergeMode.Mean => (ahead.Output + backOutput) * 0.5f,
            _ => ahead.Output * backOutput,
        };
        var hidden = Tensor.Concat([ahead.Hidden, back.Hidden], 0);
        Tensor? cell = ahead.Cell is null || back.Cell is null ? null : Tensor.Concat([ahead.Cell, back.Cell], 0);
        return new RecurrentOutput(output, hidden, cell);
    }

    private static (Tensor? First, Tensor? Second) Halves(Tensor? state)
    {
        if (state is null) return (null, null);
        if (state.Size(0) % 2 != 0)
            throw new TensorShapeException("Bidirectional", $"initial state {TensorShape.Format(state.Shape)} must hold the forward rows then the backward rows");
        var halves = state.Chunk(2, 0);
        return (halves[0], halves[1]);
    }
}
