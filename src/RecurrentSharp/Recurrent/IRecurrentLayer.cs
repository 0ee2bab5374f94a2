using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>A recurrent layer or stack: anything that maps a sequence to a sequence plus final states.</summary>
public interface IRecurrentLayer
{
    /// <summary>The feature size of each input step.</summary>
    int InputSize { get; }

    /// <summary>The feature size of each output step (D·H for a bidirectional layer with concatenation).</summary>
    int OutputSize { get; }

    /// <summary>True when inputs and outputs are (batch, time, features).</summary>
    bool BatchFirst { get; }

    /// <summary>
    /// Runs the layer over a sequence. <paramref name="h0"/> / <paramref name="c0"/> are the initial states
    /// (zeros when null); <paramref name="lengths"/> gives each batch element's true length for padded batches.
    /// </summary>
    RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null);
}
