using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// e^x in float32 arithmetic for the gate kernels, the same steps on every path (Vector512, Vector256, scalar), so
/// the three give the same value (Cephes' expf; relative error below 2e-7 on the range the gates use):
/// <code>
///   x ← clamp(x, −87.3, 88)                 (e^x stays a normal float; σ and tanh are saturated long before)
///   n = round(x · log₂e)                     x = n·ln 2 + r,  |r| ≤ ln 2 / 2
///   r = x − n·C₁ − n·C₂                      ln 2 = C₁ + C₂ split so that n·C₁ is exact
///   e^r ≈ 1 + r + r²·(P₀ + r·(P₁ + r·(P₂ + r·(P₃ + r·(P₄ + r·P₅)))))
///   e^x = e^r · 2ⁿ                           2ⁿ built from its bits: (n + 127) &lt;&lt; 23
/// </code>
/// NaN stays NaN (the clamp is the IEEE min/max, which passes NaN through). It replaces <c>Vector512.Exp</c>, which
/// widens every lane to float64 for a half-ulp result and costs about twice as much.
/// </summary>
internal static class Exponential
{
    private const float Highest = 88f, Lowest = -87.33654f;
    private const float Log2E = 1.44269504088896341f;
    private const float C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private const float P0 = 5.0000001201e-1f, P1 = 1.6666665459e-1f, P2 = 4.1665795894e-2f,
        P3 = 8.3334519073e-3f, P4 = 1.3981999507e-3f, P5 = 1.9875691500e-4f;

    /// <summary>e^x for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(Lowest)), Vector512.Create(Highest));
        var n = Vector512.Round(x * Log2E);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-C2), Vector512.FusedMultiplyAdd(n, Vector512.Create(-C1), x));
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P5), r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P0));
        var y = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var twoToN = Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n) + Vector512.Create(127), 23).AsSingle();
        return y * twoToN;
    }

    /// <summary>e^x for 8 lanes (the same steps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(Lowest)), Vector256.Create(Highest));
        var n = Vector256.Round(x * Log2E);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-C2), Vector256.FusedMultiplyAdd(n, Vector256.Create(-C1), x));
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P5), r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P0));
        var y = Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var twoToN = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
        return y * twoToN;
    }

    /// <summary>e^x for one float (the same steps).</summary>
    public static float Of(float x)
    {
        x = MathF.Min(MathF.Max(x, Lowest), Highest);
        float n = MathF.Round(x * Log2E);
        float r = MathF.FusedMultiplyAdd(n, -C2, MathF.FusedMultiplyAdd(n, -C1, x));
        float p = MathF.FusedMultiplyAdd(P5, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P0);
        float y = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        return y * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }
}
