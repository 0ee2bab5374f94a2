namespace RecurrentSharp.Kernels;

/// <summary>
/// The innermost piece of <see cref="Gemm"/>: one register tile of C,
/// <c>C[rows x Columns] = alpha * A[rows x kc] * B[kc x Columns] + beta * C</c>, where A is a
/// packed row panel (element (i, p) at <c>a[p * aStride + i]</c>) and B a packed column panel
/// (element (p, j) at <c>b[p * Columns + j]</c>). The accumulators stay in registers for the whole
/// kc loop; C is read (unless beta is 0) and written once, at the end.
/// Implemented by structs so that the blocked driver is compiled once per kernel, with the calls inlined.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>MR: rows of C per tile (the height of a packed A panel).</summary>
    static abstract int Rows { get; }

    /// <summary>NR: columns of C per tile (the width of a packed B panel).</summary>
    static abstract int Columns { get; }

    /// <summary>The SIMD path this kernel belongs to.</summary>
    static abstract GemmPath Path { get; }

    /// <summary>Computes rows 0..rows-1 (rows &lt;= MR) of the tile and writes them to C.</summary>
    static abstract void Multiply(int rows, int kc, float* a, nint aStride, float* b,
        float* c, nint ldc, float alpha, float beta);
}

/// <summary>Which microkernel <see cref="Gemm"/> runs on this machine.</summary>
internal enum GemmPath
{
    /// <summary>Plain float arithmetic, 4 x 8 tiles.</summary>
    Scalar,
    /// <summary>AVX2-class <c>Vector256</c> FMA, 6 x 16 tiles.</summary>
    Vector256,
    /// <summary>AVX-512 <c>Vector512</c> FMA, 12 x 32 tiles.</summary>
    Vector512,
}

/// <summary>
/// A row count known when the JIT compiles a kernel: <c>Tile&lt;R3&gt;</c> is compiled with
/// <c>TRows.Value == 3</c>, so the branches for rows 4..12 and their accumulators disappear and an
/// edge tile of 3 rows costs 3 rows of work, not 12.
/// </summary>
internal interface IRowCount { static abstract int Value { get; } }
internal struct R1 : IRowCount { public static int Value => 1; }
internal struct R2 : IRowCount { public static int Value => 2; }
internal struct R3 : IRowCount { public static int Value => 3; }
internal struct R4 : IRowCount { public static int Value => 4; }
internal struct R5 : IRowCount { public static int Value => 5; }
internal struct R6 : IRowCount { public static int Value => 6; }
internal struct R7 : IRowCount { public static int Value => 7; }
internal struct R8 : IRowCount { public static int Value => 8; }
internal struct R9 : IRowCount { public static int Value => 9; }
internal struct R10 : IRowCount { public static int Value => 10; }
internal struct R11 : IRowCount { public static int Value => 11; }
internal struct R12 : IRowCount { public static int Value => 12; }
