using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The chain rule through the gate activations, written in terms of the activation's output
/// (which the forward pass keeps): safe when the destination is the same span as the incoming gradient.
/// </summary>
public static class ActivationGradients
{
    /// <summary>dx = dy ⊙ s ⊙ (1 - s), for s = σ(x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> s, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckLengths(s, dy, dx);
        ref float sr = ref MemoryMarshal.GetReference(s);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref sr, (nuint)i);
                (Vector512.LoadUnsafe(ref gr, (nuint)i) * v * (Vector512<float>.One - v)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref sr, (nuint)i);
                (Vector256.LoadUnsafe(ref gr, (nuint)i) * v * (Vector256<float>.One - v)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref sr, i);
            Unsafe.Add(ref dr, i) = Unsafe.Add(ref gr, i) * v * (1f - v);
        }
    }

    /// <summary>dx = dy ⊙ (1 - y²), for y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = CheckLengths(y, dy, dx);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(dy);
        ref float dr = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref yr, (nuint)i);
                (Vector512.LoadUnsafe(ref gr, (nuint)i) * (Vector512<float>.One - v * v)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref yr, (nuint)i);
                (Vector256.LoadUnsafe(ref gr, (nuint)i) * (Vector256<float>.One - v * v)).StoreUnsafe(ref dr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref yr, i);
            Unsafe.Add(ref dr, i) = Unsafe.Add(ref gr, i) * (1f - v * v);
        }
    }

    private static int CheckLengths(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dy.Length != y.Length || dx.Length != y.Length)
            throw new ArgumentException($"ActivationGradients: lengths differ (y {y.Length}, dy {dy.Length}, dx {dx.Length}).");
        return y.Length;
    }
}
