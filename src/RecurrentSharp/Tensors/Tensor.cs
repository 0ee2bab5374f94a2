using System.Globalization;
using System.Text;

namespace RecurrentSharp.Tensors;

/// <summary>
/// A float32 n-dimensional array stored row-major and contiguous, with an optional gradient.
/// </summary>
/// <remarks>
/// A tensor is a window (<c>offset</c>, element count) onto a <see cref="float"/> array plus a shape.
/// Reshaping and slicing along the leading axis return views that share the array; every other
/// operation returns a new tensor. When any input requires a gradient (and recording is not switched
/// off by <see cref="NoGradScope"/>), an operation records a <see cref="GradNode"/> so that
/// <see cref="Backward(Tensor?)"/> can later push gradients back to the leaves.
/// </remarks>
public sealed partial class Tensor
{
    private readonly float[] storage;
    private readonly int offset;
    private readonly int[] shape;
    private bool requiresGrad;

    internal Tensor(float[] storage, int offset, int[] shape)
    {
        long count = TensorShape.ElementCount(shape);
        if (offset < 0 || offset + count > storage.Length)
            throw new ArgumentException($"A tensor of shape {TensorShape.Format(shape)} at offset {offset} does not fit in a buffer of {storage.Length} elements.");
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        Length = (int)count;
    }

    internal Tensor(int[] shape, bool clear = true)
        : this(clear ? new float[TensorShape.CheckedCount(shape)] : GC.AllocateUninitializedArray<float>(TensorShape.CheckedCount(shape)), 0, shape)
    {
    }

    /// <summary>The sizes of the axes, outermost first.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of axes (0 for a scalar).</summary>
    public int Rank => shape.Length;

    /// <summary>The total number of elements.</summary>
    public int Length { get; }

    /// <summary>The size of one axis; negative axes count from the end (-1 is the last).</summary>
    public int Size(int axis) => shape[NormalizeAxis(axis, "Size")];

    /// <summary>The elements in row-major order. Writes go straight to the storage, bypassing autograd.</summary>
    public Span<float> Data => storage.AsSpan(offset, Length);

    internal float[] Storage => storage;
    internal int Offset => offset;
    internal int[] ShapeArray => shape;

    /// <summary>A copy of the shape.</summary>
    public int[] GetShape() => (int[])shape.Clone();

    /// <summary>Reads or writes one element by its full index.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => storage[offset + FlatIndex(index)];
        set => storage[offset + FlatIndex(index)] = value;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1)
            throw new TensorShapeException("Item", $"needs a tensor of exactly one element, got shape {TensorShape.Format(shape)}");
        return storage[offset];
    }

    /// <summary>A fresh array holding the elements in row-major order.</summary>
    public float[] ToArray() => Data.ToArray();

    // ---------------------------------------------------------------- autograd state

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (parameters, inputs you want
    /// gradients for); results of operations on such tensors require gradients automatically.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad cannot be switched off on the result of an operation; call Detach() instead.");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of the last <see cref="Backward(Tensor?)"/> calls (leaves, and tensors marked with <see cref="RetainGrad"/>).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>
    /// Set by a backward rule on a gradient whose storage nothing else references: the first accumulation into an empty
    /// <see cref="Grad"/> may then take it as it is instead of copying it (the flag is cleared when it does).
    /// </summary>
    internal bool SoleOwner { get; set; }

    /// <summary>The operation that produced this tensor, or null for a leaf.</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>Which output of <see cref="GradFn"/> this tensor is.</summary>
    internal int OutputIndex { get; set; }

    /// <summary>True when the tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Keep the gradient of this intermediate tensor in <see cref="Grad"/> during backward.</summary>
    public bool RetainsGrad { get; private set; }

    /// <summary>Asks backward to store this (non-leaf) tensor's gradient in <see cref="Grad"/>.</summary>
    public Tensor RetainGrad()
    {
        RetainsGrad = true;
        return this;
    }

    /// <summary>A tensor sharing this one's data but cut off from the graph (it never requires a gradient).</summary>
    public Tensor Detach() => new(storage, offset, shape);

    /// <summary>Clears the accumulated gradient.</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>
    /// Back-propagates from this tensor. For a scalar the seed gradient is 1; otherwise pass the
    /// gradient of the final loss with respect to this tensor. Leaf gradients accumulate in <see cref="Grad"/>.
    /// </summary>
    public void Backward(Tensor? gradient = null) => BackwardPass.Run(this, gradient);

    // ---------------------------------------------------------------- helpers

    internal int NormalizeAxis(int axis, string operation)
    {
        int a = axis < 0 ? axis + shape.Length : axis;
        if (a < 0 || a >= shape.Length)
            throw new TensorShapeException(operation, $"axis {axis} is out of range for shape {TensorShape.Format(shape)}");
        return a;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != shape.Length)
            throw new TensorShapeException("index", $"{index.Length} indices for shape {TensorShape.Format(shape)}");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for axis {i} of shape {TensorShape.Format(shape)}.");
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /// <summary>Shape and (for small tensors) the values, for debugging.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(TensorShape.Format(shape));
        if (Length <= 64)
        {
            sb.Append(" [");
            var d = Data;
            for (int i = 0; i < d.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(d[i].ToString("G6", CultureInfo.InvariantCulture));
            }
            sb.Append(']');
        }
        if (RequiresGrad) sb.Append(GradFn is null ? " requires_grad" : $" grad_fn={GradFn.Operation}");
        return sb.ToString();
    }
}
