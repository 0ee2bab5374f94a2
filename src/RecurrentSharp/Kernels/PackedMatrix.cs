namespace RecurrentSharp.Kernels;

/// <summary>
/// The right-hand operand op(B) (k x n) of <see cref="Gemm"/>, already copied into the column-panel
/// layout the microkernel reads. A recurrent layer multiplies by the same weight at every time step;
/// packing it once (and again after each optimizer step) saves re-packing it per step.
/// Create with <see cref="Gemm.PackB(bool, int, int, ReadOnlySpan{float}, int, PackedMatrix?)"/>; use with
/// <see cref="Gemm.Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly AlignedBuffer buffer = new();

    internal PackedMatrix(int rows, int columns, GemmPath path, int panelWidth)
    {
        Rows = rows;
        Columns = columns;
        Path = path;
        PanelWidth = panelWidth;
        int panels = (columns + panelWidth - 1) / panelWidth;
        Data = buffer.Get(Math.Max(1L, (long)panels * panelWidth * rows));
    }

    /// <summary>k: rows of op(B), the inner dimension of the product.</summary>
    public int Rows { get; }

    /// <summary>n: columns of op(B), the columns of the result.</summary>
    public int Columns { get; }

    /// <summary>The kernel the layout was made for.</summary>
    internal GemmPath Path { get; }

    /// <summary>NR: columns per panel; element (p, j) is at <c>Data[(j / NR) * NR * k + p * NR + j % NR]</c>.</summary>
    internal int PanelWidth { get; }

    /// <summary>The packed panels (pinned, 64-byte aligned; columns past n are 0).</summary>
    internal float* Data { get; }
}
