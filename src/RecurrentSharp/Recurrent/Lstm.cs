using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Long short-term memory, PyTorch's <c>nn.LSTM</c> (gate order i, f, g, o), with two variants beyond it:
/// peephole connections (Gers and Schmidhuber: the input and forget gates see c_{t-1}, the output gate
/// sees c_t, through diagonal weights <c>weight_peephole_l{k}</c> of shape (3, H)) and a coupled input and
/// forget gate (f = 1 - i; gates i, g, o).
/// </summary>
/// <remarks>
/// New models start with a forget-gate bias of 1.0 (b_ih = 1, b_hh = 0 on the f block), as Keras'
/// <c>unit_forget_bias</c>, which helps gradients flow early in training; pass
/// <c>forgetGateBias: null</c> for PyTorch's plain uniform initialization.
/// </remarks>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates the layer; arguments as in PyTorch plus the variants.</summary>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f,
        bool bidirectional = false, bool peephole = false, bool coupledGates = false, float? forgetGateBias = 1f, RandomGenerator? random = null)
        : base(new CellSpec(CellKind.Lstm, Peephole: peephole, CoupledGates: coupledGates), inputSize, hiddenSize, numLayers, bias,
            batchFirst, dropout, bidirectional, random)
    {
        if (forgetGateBias is not { } value || !bias || coupledGates) return;
        foreach (var (name, p) in NamedParameters())
        {
            var forget = p.Data.Slice(hiddenSize, hiddenSize);
            if (name.StartsWith("bias_ih", StringComparison.Ordinal)) forget.Fill(value);
            else if (name.StartsWith("bias_hh", StringComparison.Ordinal)) forget.Clear();
        }
    }

    /// <summary>True with peephole connections.</summary>
    public bool Peephole => Cell.Peephole;

    /// <summary>True when the forget gate is tied to the input gate.</summary>
    public bool CoupledGates => Cell.CoupledGates;
}
