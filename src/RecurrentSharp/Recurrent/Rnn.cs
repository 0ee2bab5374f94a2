using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Elman recurrent network, PyTorch's <c>nn.RNN</c>: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),
/// with act = tanh (default), relu, or identity (a linear recurrence, for teaching).
/// </summary>
public sealed class Rnn : RecurrentLayer
{
    /// <summary>Creates the layer; arguments as in PyTorch (inputSize, hiddenSize, numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional).</summary>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, Nonlinearity nonlinearity = Nonlinearity.Tanh, bool bias = true,
        bool batchFirst = false, float dropout = 0f, bool bidirectional = false, RandomGenerator? random = null)
        : base(new CellSpec(CellKind.Rnn, nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, random)
    {
    }

    /// <summary>The activation.</summary>
    public Nonlinearity Nonlinearity => Cell.Activation;
}
