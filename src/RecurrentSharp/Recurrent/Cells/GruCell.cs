using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Cells;

/// <summary>
/// One GRU step, PyTorch's <c>nn.GRUCell</c> (gate order r, z, n):
/// <code>
///   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     (Cho: W_hn (r ⊙ h) + b_hn)
///   h' = (1 - z) ⊙ n + z ⊙ h
/// </code>
/// </summary>
public sealed class GruCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    public GruCell(int inputSize, int hiddenSize, bool bias = true, GruVariant variant = GruVariant.PyTorch, RandomGenerator? random = null)
        : base(inputSize, hiddenSize, 3, bias, random)
    {
        Variant = variant;
    }

    /// <summary>The formulation.</summary>
    public GruVariant Variant { get; }

    /// <summary>One step: input (B, I) or (I); h (B, H) or (H), zeros when null. Returns h'.</summary>
    public Tensor Forward(Tensor input, Tensor? h = null)
    {
        var (x, unbatched) = PrepareInput(input);
        var hPrev = PrepareState(h, x.Size(0), unbatched, "h");
        int H = HiddenSize;
        var gx = InputProjection(x).Chunk(3, 1);
        Tensor r, z, hn;
        if (Variant == GruVariant.PyTorch)
        {
            var gh = HiddenProjection(hPrev).Chunk(3, 1);
            r = (gx[0] + gh[0]).Sigmoid();
            z = (gx[1] + gh[1]).Sigmoid();
            hn = r * gh[2];
        }
        else
        {
            // r and z from the first 2H rows of W_hh; n from the last H rows applied to r ⊙ h
            var wRz = WeightHH.Slice(0, 0, 2 * H);
            var wN = WeightHH.Slice(0, 2 * H, H);
            var ghRz = Tensor.MatMul(hPrev, wRz, transposeB: true);
            if (BiasHH is not null) ghRz += BiasHH.Slice(0, 0, 2 * H);
            var parts = ghRz.Chunk(2, 1);
            r = (gx[0] + parts[0]).Sigmoid();
            z = (gx[1] + parts[1]).Sigmoid();
            hn = Tensor.MatMul(r * hPrev, wN, transposeB: true);
            if (BiasHH is not null) hn += BiasHH.Slice(0, 2 * H, H);
        }
        var n = (gx[2] + hn).Tanh();
        var hNext = n + z * (hPrev - n);
        return Finish(hNext, unbatched);
    }
}
