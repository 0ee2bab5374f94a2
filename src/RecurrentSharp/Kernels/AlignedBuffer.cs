using System.Runtime.CompilerServices;

namespace RecurrentSharp.Kernels;

/// <summary>
/// A growable float buffer whose start is 64-byte aligned (one cache line, one zmm load), on the
/// pinned object heap so that its address never changes and kernels can hold a raw pointer to it.
/// It only grows: once a kernel has seen its largest shape, reusing the buffer allocates nothing.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignFloats = 16;
    private float[] array = [];
    private float* start;
    private long capacity;

    /// <summary>A pointer to at least <paramref name="length"/> floats (contents undefined).</summary>
    public float* Get(long length)
    {
        if (length > capacity)
        {
            long grown = Math.Max(length, capacity + capacity / 2);
            array = GC.AllocateUninitializedArray<float>(checked((int)(grown + AlignFloats)), pinned: true);
            float* first = (float*)Unsafe.AsPointer(ref array[0]);
            start = (float*)(((nuint)first + 63) & ~(nuint)63);
            capacity = grown;
        }
        return start;
    }
}
