namespace RecurrentSharp.Tensors;

/// <summary>Arithmetic on shapes: element counts, broadcasting and formatting for messages.</summary>
public static class TensorShape
{
    /// <summary>The number of elements of a shape (1 for a scalar).</summary>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new TensorShapeException("shape", $"negative size in {Format(shape)}");
            n *= d;
        }
        return n;
    }

    /// <summary>The element count, checked to fit a single .NET array.</summary>
    public static int CheckedCount(ReadOnlySpan<int> shape)
    {
        long n = ElementCount(shape);
        if (n > Array.MaxLength)
            throw new TensorShapeException("shape", $"{Format(shape)} holds {n} elements, more than one array can hold");
        return (int)n;
    }

    /// <summary>Formats a shape as <c>(2, 3)</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <summary>The numpy/PyTorch broadcast of two shapes: aligned from the right, sizes equal or 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string operation)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new TensorShapeException(operation, $"shapes {Format(a)} and {Format(b)} cannot be broadcast together");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Row-major strides of a shape, in elements.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>True when both shapes have the same rank and sizes.</summary>
    public static bool SameAs(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
