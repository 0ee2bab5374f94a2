using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// Parameter initializers, filling a tensor in place (as <c>torch.nn.init</c>). Fan-in and fan-out are
/// read from the shape: (out, in) for a matrix, (out, in, k...) for a convolution kernel.
/// </summary>
public static class Init
{
    /// <summary>Fills with a constant.</summary>
    public static void Constant(Tensor t, float value) => t.Data.Fill(value);

    /// <summary>Fills with zeros.</summary>
    public static void Zeros(Tensor t) => t.Data.Clear();

    /// <summary>Samples U(low, high).</summary>
    public static void Uniform(Tensor t, RandomGenerator random, float low, float high)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * random.NextFloat();
    }

    /// <summary>Samples N(mean, std²).</summary>
    public static void Normal(Tensor t, RandomGenerator random, float mean = 0f, float std = 1f)
    {
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * random.NextNormal());
    }

    /// <summary>PyTorch's default for RNN, LSTM and GRU weights and biases: U(-1/√hidden, 1/√hidden).</summary>
    public static void RecurrentDefault(Tensor t, RandomGenerator random, int hiddenSize)
    {
        float bound = 1f / MathF.Sqrt(hiddenSize);
        Uniform(t, random, -bound, bound);
    }

    /// <summary>Glorot/Xavier uniform: U(-a, a), a = gain·√(6 / (fan_in + fan_out)).</summary>
    public static void XavierUniform(Tensor t, RandomGenerator random, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(t);
        float a = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        Uniform(t, random, -a, a);
    }

    /// <summary>Glorot/Xavier normal: N(0, std²), std = gain·√(2 / (fan_in + fan_out)).</summary>
    public static void XavierNormal(Tensor t, RandomGenerator random, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(t);
        Normal(t, random, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)));
    }

    /// <summary>He/Kaiming uniform for ReLU layers: U(-b, b), b = √2·√(3 / fan_in) (fan_out with <paramref name="useFanOut"/>).</summary>
    public static void KaimingUniform(Tensor t, RandomGenerator random, bool useFanOut = false, float gain = 1.41421356f)
    {
        var (fanIn, fanOut) = Fans(t);
        float bound = gain * MathF.Sqrt(3f / (useFanOut ? fanOut : fanIn));
        Uniform(t, random, -bound, bound);
    }

    /// <summary>He/Kaiming normal: N(0, std²), std = √2 / √fan_in (fan_out with <paramref name="useFanOut"/>).</summary>
    public static void KaimingNormal(Tensor t, RandomGenerator random, bool useFanOut = false, float gain = 1.41421356f)
    {
        var (fanIn, fanOut) = Fans(t);
        Normal(t, random, 0f, gain / MathF.Sqrt(useFanOut ? fanOut : fanIn));
    }

    /// <summary>
    /// A (semi-)orthogonal matrix, as for recurrent weights (Saxe et al. 2014): the Q factor of a
    /// Gaussian matrix, with signs fixed so R has a positive diagonal, times <paramref name="gain"/>.
    /// Tensors of rank above 2 are treated as (size(0), rest).
    /// </summary>
    public static void Orthogonal(Tensor t, RandomGenerator random, float gain = 1f)
    {
        if (t.Rank < 2) throw new TensorShapeException("Orthogonal", $"needs at least 2 axes, got {TensorShape.Format(t.Shape)}");
        int rows = t.Size(0), cols = t.Length / rows;
        bool transposed = rows < cols;
        int tall = transposed ? cols : rows, wide = transposed ? rows : cols;
        // Columns of a tall x wide Gaussian matrix, orthonormalized by modified Gram-Schmidt in double.
        var q = new double[wide][];
        for (int j = 0; j < wide; j++)
        {
            q[j] = new double[tall];
            for (int i = 0; i < tall; i++) q[j][i] = random.NextNormal();
        }
        for (int j = 0; j < wide; j++)
        {
            for (int pass = 0; pass < 2; pass++) // a second pass keeps the columns orthogonal in floating point
                for (int prev = 0; prev < j; prev++)
                {
                    double dot = 0;
                    for (int i = 0; i < tall; i++) dot += q[prev][i] * q[j][i];
                    for (int i = 0; i < tall; i++) q[j][i] -= dot * q[prev][i];
                }
            double norm = 0;
            for (int i = 0; i < tall; i++) norm += q[j][i] * q[j][i];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < tall; i++) q[j][i] /= norm;
        }
        var d = t.Data;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                d[r * cols + c] = (float)(gain * (transposed ? q[r][c] : q[c][r]));
    }

    /// <summary>Fan-in and fan-out of a weight tensor: (in·receptive, out·receptive).</summary>
    public static (float FanIn, float FanOut) Fans(Tensor t)
    {
        if (t.Rank < 2) throw new TensorShapeException("Init", $"fan-in and fan-out need at least 2 axes, got {TensorShape.Format(t.Shape)}");
        int receptive = 1;
        for (int i = 2; i < t.Rank; i++) receptive *= t.Size(i);
        return (t.Size(1) * receptive, t.Size(0) * receptive);
    }
}
