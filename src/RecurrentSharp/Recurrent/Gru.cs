using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Gated recurrent unit, PyTorch's <c>nn.GRU</c> (gate order r, z, n; n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))),
/// or with <see cref="GruVariant.Cho"/> the original formulation of Cho et al. 2014, where the reset gate
/// acts on h before the product: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
/// </summary>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates the layer; arguments as in PyTorch plus the variant.</summary>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f,
        bool bidirectional = false, GruVariant variant = GruVariant.PyTorch, RandomGenerator? random = null)
        : base(new CellSpec(CellKind.Gru, Gru: variant), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, random)
    {
    }

    /// <summary>The formulation.</summary>
    public GruVariant Variant => Cell.Gru;
}
