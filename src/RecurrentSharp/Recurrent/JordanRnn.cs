using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Jordan network (Jordan 1986): the previous step's output — after the output layer — is fed back into
/// the hidden layer, instead of the previous hidden state as in an Elman network:
/// <code>
///   h_t = act(W_ih x_t + b_ih + W_yh y_{t-1} + b_hh)       y_0 = 0 (or given)
///   y_t = out(W_hy h_t + b_hy)                               out = identity (default), tanh or sigmoid
/// </code>
/// Built from ordinary autograd operations, one step at a time.
/// </summary>
public sealed class JordanRnn : Module, IRecurrentLayer
{
    private readonly Func<Tensor, Tensor> outputActivation;

    /// <summary>Creates the network; parameters weight_ih (H, I), weight_yh (H, O), bias_ih, bias_hh (H) and output.weight (O, H), output.bias.</summary>
    public JordanRnn(int inputSize, int hiddenSize, int outputSize, Nonlinearity nonlinearity = Nonlinearity.Tanh,
        Nonlinearity outputNonlinearity = Nonlinearity.Identity, bool batchFirst = false, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        OutputSize = outputSize;
        Nonlinearity = nonlinearity;
        BatchFirst = batchFirst;
        float k = 1f / MathF.Sqrt(hiddenSize);
        WeightIH = RegisterParameter("weight_ih", Tensor.RandomUniform(random, -k, k, hiddenSize, inputSize));
        WeightYH = RegisterParameter("weight_yh", Tensor.RandomUniform(random, -k, k, hiddenSize, outputSize));
        BiasIH = RegisterParameter("bias_ih", Tensor.RandomUniform(random, -k, k, hiddenSize));
        BiasHH = RegisterParameter("bias_hh", Tensor.RandomUniform(random, -k, k, hiddenSize));
        Output = RegisterModule("output", new Linear(hiddenSize, outputSize, random: random));
        outputActivation = outputNonlinearity switch
        {
            Nonlinearity.Tanh => y => y.Tanh(),
            Nonlinearity.Relu => y => y.Relu(),
            _ => y => y,
        };
    }

    /// <inheritdoc/>
    public int InputSize { get; }

    /// <summary>The hidden size H.</summary>
    public int HiddenSize { get; }

    /// <summary>The output size O (the fed-back state).</summary>
    public int OutputSize { get; }

    /// <summary>The hidden activation.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <inheritdoc/>
    public bool BatchFirst { get; }

    /// <summary>W_ih (H, I).</summary>
    public Tensor WeightIH { get; }

    /// <summary>W_yh (H, O): the feedback from the previous output.</summary>
    public Tensor WeightYH { get; }

    /// <summary>b_ih (H).</summary>
    public Tensor BiasIH { get; }

    /// <summary>b_hh (H).</summary>
    public Tensor BiasHH { get; }

    /// <summary>The output layer W_hy, b_hy.</summary>
    public Linear Output { get; }

    /// <summary>
    /// Runs the sequence. Returns every step's output y_t (0 at padded steps) as the output, and the final
    /// y as h_n, shape (1, B, O). <paramref name="h0"/> is y_0, (1, B, O); <paramref name="c0"/> must be null.
    /// </summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        if (c0 is not null) throw new ArgumentException("JordanRnn has no cell state.");
        if (input.Rank != 3 || input.Size(2) != InputSize)
            throw new TensorShapeException("JordanRnn", $"input {TensorShape.Format(input.Shape)} must be (T, B, {InputSize}) or batch-first (B, T, {InputSize})");
        var x = BatchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Size(0), batch = x.Size(1);
        RecurrentLayer.CheckLengths(lengths, steps, batch, "JordanRnn");
        if (h0 is not null && !TensorShape.SameAs(h0.Shape, [1, batch, OutputSize]))
            throw new TensorShapeException("JordanRnn", $"y0 {TensorShape.Format(h0.Shape)} must be (1, {batch}, {OutputSize})");
        var y = h0?.Reshape(batch, OutputSize) ?? Tensor.Zeros(batch, OutputSize);
        var inputSide = Tensor.MatMul(x, WeightIH, transposeB: true) + BiasIH + BiasHH;   // (T, B, H) for all steps
        var outputs = new List<Tensor>();
        for (int t = 0; t < steps; t++)
        {
            var a = inputSide.Select(0, t) + Tensor.MatMul(y, WeightYH, transposeB: true);
            var h = Nonlinearity switch { Nonlinearity.Tanh => a.Tanh(), Nonlinearity.Relu => a.Relu(), _ => a };
            var yNext = outputActivation(Output.Forward(h));
            if (lengths is not null)
            {
                // Finished sequences keep their last output as state and emit zeros.
                var active = Tensor.FromArray(lengths.Select(l => t < l ? 1f : 0f).ToArray(), batch, 1);
                outputs.Add(yNext * active);
                y = Tensor.Where(active, yNext, y);
            }
            else
            {
                outputs.Add(yNext);
                y = yNext;
            }
        }
        var sequence = Tensor.Stack(outputs, 0);
        return new RecurrentOutput(BatchFirst ? sequence.Transpose(0, 1) : sequence, y.Unsqueeze(0), null);
    }
}
