using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Data;

/// <summary>
/// A set of equally sized grey-scale images read from an IDX file, kept as the original bytes
/// (0 = background, 255 = ink; 60,000 MNIST images are 47 MB as bytes, four times that as floats).
/// Convert the batch you need with <see cref="ToTensor"/>.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps <paramref name="pixels"/> (count × rows × columns bytes, row-major).</summary>
    public IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        if ((long)count * rows * columns != pixels.Length)
            throw new ArgumentException($"{count} images of {rows}x{columns} need {(long)count * rows * columns} bytes, got {pixels.Length}.");
        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>Pixel rows per image (28 for MNIST).</summary>
    public int Rows { get; }

    /// <summary>Pixel columns per image (28 for MNIST).</summary>
    public int Columns { get; }

    /// <summary>All pixels, image after image, each row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(checked(index * Rows * Columns), Rows * Columns);

    /// <summary>
    /// The images at <paramref name="indices"/> as floats in [0, 1] (pixel / 255), read as sequences of
    /// rows — the classic row-by-row RNN setup: time step t is pixel row t, its features the row's
    /// columns. Shape (batch, rows, columns) for <see cref="SequenceLayout.BatchFirst"/>, else (rows, batch, columns).
    /// </summary>
    public Tensor ToTensor(ReadOnlySpan<int> indices, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        int batch = indices.Length;
        var result = layout == SequenceLayout.BatchFirst ? Tensor.Zeros(batch, Rows, Columns) : Tensor.Zeros(Rows, batch, Columns);
        var data = result.Data;
        for (int b = 0; b < batch; b++)
        {
            var image = Image(indices[b]);
            for (int r = 0; r < Rows; r++)
            {
                // BatchFirst: [b, r, c] at (b*Rows + r)*Columns + c; TimeMajor: [r, b, c] at (r*batch + b)*Columns + c.
                int rowStart = layout == SequenceLayout.BatchFirst ? (b * Rows + r) * Columns : (r * batch + b) * Columns;
                for (int c = 0; c < Columns; c++) data[rowStart + c] = image[r * Columns + c] / 255f;
            }
        }
        return result;
    }
}
