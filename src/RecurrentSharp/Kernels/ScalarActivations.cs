namespace RecurrentSharp.Kernels;

/// <summary>
/// The gate activations for one float, as the kernels' scalar tails compute them (their Vector512 and Vector256
/// twins write the same formulas inline), each from one exponential (<see cref="Exponential"/>, the same on every path; absolute error about 1e-7):
/// <code>
///   σ(x) = 1 / (1 + e^-x)        tanh(x) = 1 - 2 / (e^2x + 1)
/// </code>
/// </summary>
internal static class ScalarActivations
{
    /// <summary>σ(x) = 1 / (1 + e^-x).</summary>
    public static float Sigmoid(float x) => 1f / (1f + Exponential.Of(-x));

    /// <summary>tanh(x) = 1 - 2 / (e^2x + 1).</summary>
    public static float Tanh(float x) => 1f - 2f / (Exponential.Of(2f * x) + 1f);
}
