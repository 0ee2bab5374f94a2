using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Cells;

/// <summary>
/// The common part of the single-step cells (<see cref="RnnCell"/>, <see cref="LstmCell"/>,
/// <see cref="GruCell"/>): PyTorch's parameters weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh
/// (G·H), initialized U(-1/√H, 1/√H). Cells are built from ordinary autograd operations, one step per
/// call, for stepping by hand (decoders, teaching); the fused layers are the fast path for whole sequences.
/// </summary>
public abstract class RecurrentCell : Module
{
    /// <summary>Creates the parameters for <paramref name="gates"/> gate blocks.</summary>
    protected RecurrentCell(int inputSize, int hiddenSize, int gates, bool bias, RandomGenerator? random)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), $"{GetType().Name}({inputSize}, {hiddenSize}): sizes must be positive.");
        random ??= RandomGenerator.Default;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        float k = 1f / MathF.Sqrt(hiddenSize);
        WeightIH = RegisterParameter("weight_ih", Tensor.RandomUniform(random, -k, k, gates * hiddenSize, inputSize));
        WeightHH = RegisterParameter("weight_hh", Tensor.RandomUniform(random, -k, k, gates * hiddenSize, hiddenSize));
        if (bias)
        {
            BiasIH = RegisterParameter("bias_ih", Tensor.RandomUniform(random, -k, k, gates * hiddenSize));
            BiasHH = RegisterParameter("bias_hh", Tensor.RandomUniform(random, -k, k, gates * hiddenSize));
        }
    }

    /// <summary>The input size I.</summary>
    public int InputSize { get; }

    /// <summary>The hidden size H.</summary>
    public int HiddenSize { get; }

    /// <summary>W_ih, (G·H, I).</summary>
    public Tensor WeightIH { get; }

    /// <summary>W_hh, (G·H, H).</summary>
    public Tensor WeightHH { get; }

    /// <summary>b_ih, (G·H), or null.</summary>
    public Tensor? BiasIH { get; }

    /// <summary>b_hh, (G·H), or null.</summary>
    public Tensor? BiasHH { get; }

    /// <summary>W_ih x + b_ih: (B, G·H).</summary>
    protected Tensor InputProjection(Tensor x)
    {
        var g = Tensor.MatMul(x, WeightIH, transposeB: true);
        return BiasIH is null ? g : g + BiasIH;
    }

    /// <summary>W_hh h + b_hh: (B, G·H).</summary>
    protected Tensor HiddenProjection(Tensor h)
    {
        var g = Tensor.MatMul(h, WeightHH, transposeB: true);
        return BiasHH is null ? g : g + BiasHH;
    }

    /// <summary>
    /// Brings an input of shape (B, I) or unbatched (I) and an optional state to (B, ·) form; the returned
    /// flag says whether to squeeze the batch axis off the results.
    /// </summary>
    protected (Tensor X, bool Unbatched) PrepareInput(Tensor input)
    {
        if (input.Rank is not (1 or 2) || input.Size(-1) != InputSize)
            throw new TensorShapeException(GetType().Name, $"input {TensorShape.Format(input.Shape)} must be (B, {InputSize}) or ({InputSize})");
        return input.Rank == 1 ? (input.Unsqueeze(0), true) : (input, false);
    }

    /// <summary>The state in (B, H) form: zeros when null; checked against the batch size.</summary>
    protected Tensor PrepareState(Tensor? state, int batch, bool unbatched, string name)
    {
        if (state is null) return Tensor.Zeros(batch, HiddenSize);
        var s = unbatched && state.Rank == 1 ? state.Unsqueeze(0) : state;
        if (s.Rank != 2 || s.Size(0) != batch || s.Size(1) != HiddenSize)
            throw new TensorShapeException(GetType().Name, $"{name} {TensorShape.Format(state.Shape)} must be ({(unbatched ? "" : batch + ", ")}{HiddenSize})");
        return s;
    }

    /// <summary>Removes the batch axis again for unbatched calls.</summary>
    protected static Tensor Finish(Tensor t, bool unbatched) => unbatched ? t.Squeeze(0) : t;

    /// <summary>Applies an Elman-style activation.</summary>
    protected static Tensor Apply(Nonlinearity activation, Tensor a) => activation switch
    {
        Nonlinearity.Tanh => a.Tanh(),
        Nonlinearity.Relu => a.Relu(),
        _ => a,
    };
}
