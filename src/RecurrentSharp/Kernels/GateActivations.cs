using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The gate activations of the fused LSTM and GRU kernels (and the additive attention score), for 16 lanes, 8 lanes and one
/// float, the same steps on every path. tanh is a rational function of x² (the odd degree-13 / even degree-6 minimax fit that
/// Eigen and MLAS use), and σ is a scaled tanh:
/// <code>
///   x ← clamp(x, ±7.90531110763549805)           (there the fit rounds to ±1 exactly)
///   tanh(x) ≈ x · P(x²) / Q(x²)                  P: α₁ + α₃x² + … + α₁₃x¹²    Q: β₀ + β₂x² + β₄x⁴ + β₆x⁶
///   σ(x) = ½ + ½ · tanh(x / 2)
/// </code>
/// Absolute error at most 2.7e-7 for tanh (measured every 1e-5 over [-9, 9] against float64; σ halves it), against about 1e-7
/// for the exponential form it replaced (σ = 1 / (1 + e^-x), tanh = 1 − 2 / (e^2x + 1)), and it saturates at ±0.99999976
/// rather than ±1, the fit's limit, as in the MLAS kernels ONNX Runtime runs. In return it takes 14 vector operations instead of
/// about 22 (e^x alone took 19, in Cephes' expf steps): the gate kernels, five activations per unit, are bound by
/// instruction count, and <c>rnn bench gates</c> ran them about 24% faster. NaN stays NaN.
/// On Vector512 the division is <see cref="Reciprocal"/>'s estimate and Newton step; Vector256 and the scalar twin divide.
/// </summary>
internal static class GateActivations
{
    private const float Bound = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f, A7 = 5.12229709037114e-08f,
        A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>tanh(x) for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-Bound)), Vector512.Create(Bound));
        var x2 = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(A13), x2, Vector512.Create(A11));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(A9));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(A7));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(A5));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(A1));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(B6), x2, Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(B0));
        return p * x * Reciprocal.Of(q);
    }

    /// <summary>σ(x) for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512.FusedMultiplyAdd(Tanh(x * 0.5f), Vector512.Create(0.5f), Vector512.Create(0.5f));

    /// <summary>tanh(x) for 8 lanes (the same steps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-Bound)), Vector256.Create(Bound));
        var x2 = x * x;
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(A13), x2, Vector256.Create(A11));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(A9));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(A7));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(A5));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(A3));
        p = Vector256.FusedMultiplyAdd(p, x2, Vector256.Create(A1));
        var q = Vector256.FusedMultiplyAdd(Vector256.Create(B6), x2, Vector256.Create(B4));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(B2));
        q = Vector256.FusedMultiplyAdd(q, x2, Vector256.Create(B0));
        return p * x / q;
    }

    /// <summary>σ(x) for 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256.FusedMultiplyAdd(Tanh(x * 0.5f), Vector256.Create(0.5f), Vector256.Create(0.5f));

    /// <summary>tanh(x) for one float (the same steps).</summary>
    public static float Tanh(float x)
    {
        x = MathF.Min(MathF.Max(x, -Bound), Bound);
        float x2 = x * x;
        float p = MathF.FusedMultiplyAdd(A13, x2, A11);
        p = MathF.FusedMultiplyAdd(p, x2, A9);
        p = MathF.FusedMultiplyAdd(p, x2, A7);
        p = MathF.FusedMultiplyAdd(p, x2, A5);
        p = MathF.FusedMultiplyAdd(p, x2, A3);
        p = MathF.FusedMultiplyAdd(p, x2, A1);
        float q = MathF.FusedMultiplyAdd(B6, x2, B4);
        q = MathF.FusedMultiplyAdd(q, x2, B2);
        q = MathF.FusedMultiplyAdd(q, x2, B0);
        return p * x / q;
    }

    /// <summary>σ(x) = ½ + ½ · tanh(x / 2).</summary>
    public static float Sigmoid(float x) => MathF.FusedMultiplyAdd(Tanh(x * 0.5f), 0.5f, 0.5f);

    /// <summary>values = σ(values) in place, as <see cref="Tanh(Span{float})"/> (Cho's GRU, whose gates run row by row).</summary>
    public static void Sigmoid(Span<float> values) => InPlace<SigmoidFunction>(values);

    /// <summary>
    /// values = tanh(values) in place, 16, then 8 lanes at a time, then one float at a time: the Elman cell's activation.
    /// (TensorPrimitives.Tanh computes e^x in float64 for a half-ulp result: 11% of an Elman layer's inference, H = 256, 2 threads.)
    /// </summary>
    public static void Tanh(Span<float> values) => InPlace<TanhFunction>(values);

    /// <summary>
    /// values[r, j] = tanh(values[r, j] + bias[j]) in place over rows of <c>bias.Length</c> values (values.Length a multiple of it):
    /// the Elman step's bias and activation in one pass over its rows, instead of a TensorPrimitives add per row and then a pass.
    /// </summary>
    public static void Tanh(Span<float> values, ReadOnlySpan<float> bias)
    {
        int width = bias.Length;
        if (width == 0 || values.Length % width != 0)
            throw new ArgumentException($"GateActivations.Tanh: {values.Length} values are not whole rows of the bias's {width}.");
        for (int row = 0; row < values.Length; row += width) InPlace<TanhFunction>(values.Slice(row, width), bias);
    }

    /// <summary>One activation at each width, so that <see cref="InPlace{TFunction}(Span{float})"/> is written once.</summary>
    private interface IFunction
    {
        static abstract Vector512<float> Of(Vector512<float> x);
        static abstract Vector256<float> Of(Vector256<float> x);
        static abstract float Of(float x);
    }

    private readonly struct SigmoidFunction : IFunction
    {
        public static Vector512<float> Of(Vector512<float> x) => Sigmoid(x);
        public static Vector256<float> Of(Vector256<float> x) => Sigmoid(x);
        public static float Of(float x) => Sigmoid(x);
    }

    private readonly struct TanhFunction : IFunction
    {
        public static Vector512<float> Of(Vector512<float> x) => Tanh(x);
        public static Vector256<float> Of(Vector256<float> x) => Tanh(x);
        public static float Of(float x) => Tanh(x);
    }

    /// <summary>values = f(values + bias) for one row, in the same widths as <see cref="InPlace{TFunction}(Span{float})"/>.</summary>
    private static void InPlace<TFunction>(Span<float> values, ReadOnlySpan<float> bias) where TFunction : struct, IFunction
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= values.Length; j += 16)
                TFunction.Of(Vector512.Create<float>(values.Slice(j, 16)) + Vector512.Create<float>(bias.Slice(j, 16))).CopyTo(values.Slice(j, 16));
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= values.Length; j += 8)
                TFunction.Of(Vector256.Create<float>(values.Slice(j, 8)) + Vector256.Create<float>(bias.Slice(j, 8))).CopyTo(values.Slice(j, 8));
        for (; j < values.Length; j++) values[j] = TFunction.Of(values[j] + bias[j]);
    }

    /// <summary>values = f(values): the widest accelerated vectors first, then narrower ones, then single floats.</summary>
    private static void InPlace<TFunction>(Span<float> values) where TFunction : struct, IFunction
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= values.Length; j += 16) TFunction.Of(Vector512.Create<float>(values.Slice(j, 16))).CopyTo(values.Slice(j, 16));
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= values.Length; j += 8) TFunction.Of(Vector256.Create<float>(values.Slice(j, 8))).CopyTo(values.Slice(j, 8));
        for (; j < values.Length; j++) values[j] = TFunction.Of(values[j]);
    }
}
