using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecurrentSharp.Kernels;

/// <summary>
/// 1/d for the gate kernels' σ and tanh, where d = 1 + e^x lies in [1, 2·10³⁸]. A 512-bit division occupies the
/// divider for about 16 cycles, and an LSTM step divides five times per 16 units; AVX-512's 14-bit estimate and one
/// Newton step cost two FMAs and reach float precision (relative error about 1e-7):
/// <code>
///   r₀ = rcp14(d)              |r₀·d − 1| &lt; 2⁻¹⁴
///   r₁ = r₀ · (2 − d·r₀)        |r₁·d − 1| ≈ (r₀·d − 1)² &lt; 2⁻²⁸, then rounding
/// </code>
/// Without AVX-512F (the Vector512 type on another instruction set) it is the plain division.
/// </summary>
internal static class Reciprocal
{
    /// <summary>1/d for 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Of(Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / d;
        var r = Avx512F.Reciprocal14(d);
        return r * Vector512.FusedMultiplyAdd(-d, r, Vector512.Create(2f));
    }
}
