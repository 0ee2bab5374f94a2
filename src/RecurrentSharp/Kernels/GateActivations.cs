using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The gate activations of the fused LSTM and GRU kernels, each from one exponential (<see cref="Exponential"/>, the
/// same on every path; absolute error about 1e-7), for 16 lanes, 8 lanes and one float:
/// <code>
///   σ(x) = 1 / (1 + e^-x)        tanh(x) = 1 - 2 / (e^2x + 1)
/// </code>
/// On Vector512 the division is <see cref="Reciprocal"/>'s estimate and Newton step; Vector256 and the scalar twin divide.
/// </summary>
internal static class GateActivations
{
    /// <summary>σ(x) for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Reciprocal.Of(Vector512<float>.One + Exponential.Of(-x));

    /// <summary>tanh(x) for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x) =>
        Vector512<float>.One - (Vector512<float>.One + Vector512<float>.One) * Reciprocal.Of(Exponential.Of(x * 2f) + Vector512<float>.One);

    /// <summary>σ(x) for 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exponential.Of(-x));

    /// <summary>tanh(x) for 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) =>
        Vector256<float>.One - (Vector256<float>.One + Vector256<float>.One) / (Exponential.Of(x * 2f) + Vector256<float>.One);

    /// <summary>σ(x) = 1 / (1 + e^-x).</summary>
    public static float Sigmoid(float x) => 1f / (1f + Exponential.Of(-x));

    /// <summary>tanh(x) = 1 - 2 / (e^2x + 1).</summary>
    public static float Tanh(float x) => 1f - 2f / (Exponential.Of(2f * x) + 1f);

    /// <summary>values = σ(values) in place, as <see cref="Tanh(Span{float})"/> (Cho's GRU, whose gates run row by row).</summary>
    public static void Sigmoid(Span<float> values) => InPlace<SigmoidFunction>(values);

    /// <summary>
    /// values = tanh(values) in place, 16, then 8 lanes at a time, then one float at a time: the Elman cell's activation.
    /// (TensorPrimitives.Tanh computes e^x in float64 for a half-ulp result: 11% of an Elman layer's inference, H = 256, 2 threads.)
    /// </summary>
    public static void Tanh(Span<float> values) => InPlace<TanhFunction>(values);

    /// <summary>One activation at each width, so that <see cref="InPlace{TFunction}"/> is written once.</summary>
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
