using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Cells;

/// <summary>
/// One LSTM step, PyTorch's <c>nn.LSTMCell</c> (gate order i, f, g, o):
/// <code>
///   i = σ(a_i)   f = σ(a_f)   g = act_in(a_g)   o = σ(a_o)     a = W_ih x + b_ih + W_hh h + b_hh
///   c' = f ⊙ c + i ⊙ g        h' = o ⊙ act_out(c')
/// </code>
/// act_in and act_out are tanh as in PyTorch; the classic lecture cell uses identity for both.
/// </summary>
public sealed class LstmCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, Nonlinearity cellInputActivation = Nonlinearity.Tanh,
        Nonlinearity cellOutputActivation = Nonlinearity.Tanh, RandomGenerator? random = null)
        : base(inputSize, hiddenSize, 4, bias, random)
    {
        CellInputActivation = cellInputActivation;
        CellOutputActivation = cellOutputActivation;
    }

    /// <summary>The activation of the candidate g (tanh in PyTorch).</summary>
    public Nonlinearity CellInputActivation { get; }

    /// <summary>The activation applied to c' before the output gate (tanh in PyTorch).</summary>
    public Nonlinearity CellOutputActivation { get; }

    /// <summary>One step: input (B, I) or (I); h and c (B, H) or (H), zeros when null. Returns (h', c').</summary>
    public (Tensor H, Tensor C) Forward(Tensor input, Tensor? h = null, Tensor? c = null)
    {
        var step = ForwardWithGates(input, h, c);
        return (step.H, step.C);
    }

    /// <summary>
    /// The same step as <see cref="Forward"/>, also returning the pre-activations and the gate values it
    /// used (for showing how the gates open and close; the tensors are on the tape like h' and c').
    /// </summary>
    public LstmCellGates ForwardWithGates(Tensor input, Tensor? h = null, Tensor? c = null)
    {
        var (x, unbatched) = PrepareInput(input);
        int batch = x.Size(0);
        var hPrev = PrepareState(h, batch, unbatched, "h");
        var cPrev = PrepareState(c, batch, unbatched, "c");
        var a = InputProjection(x) + HiddenProjection(hPrev);
        var blocks = a.Chunk(4, 1);
        var i = blocks[0].Sigmoid();
        var f = blocks[1].Sigmoid();
        var g = Apply(CellInputActivation, blocks[2]);
        var o = blocks[3].Sigmoid();
        var cNext = f * cPrev + i * g;
        var hNext = o * Apply(CellOutputActivation, cNext);
        return new LstmCellGates(Finish(a, unbatched), Finish(i, unbatched), Finish(f, unbatched), Finish(g, unbatched), Finish(o, unbatched),
            Finish(hNext, unbatched), Finish(cNext, unbatched));
    }
}
