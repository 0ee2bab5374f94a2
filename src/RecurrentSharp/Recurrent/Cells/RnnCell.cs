using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Cells;

/// <summary>One Elman step, PyTorch's <c>nn.RNNCell</c>: h' = act(W_ih x + b_ih + W_hh h + b_hh).</summary>
public sealed class RnnCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, Nonlinearity nonlinearity = Nonlinearity.Tanh, RandomGenerator? random = null)
        : base(inputSize, hiddenSize, 1, bias, random)
    {
        Nonlinearity = nonlinearity;
    }

    /// <summary>The activation.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>One step: input (B, I) or (I); h (B, H) or (H), zeros when null. Returns h'.</summary>
    public Tensor Forward(Tensor input, Tensor? h = null)
    {
        var (x, unbatched) = PrepareInput(input);
        var hPrev = PrepareState(h, x.Size(0), unbatched, "h");
        return Finish(Apply(Nonlinearity, InputProjection(x) + HiddenProjection(hPrev)), unbatched);
    }
}
