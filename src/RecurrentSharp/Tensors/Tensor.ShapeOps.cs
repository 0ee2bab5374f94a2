namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The same elements with a new shape (a view: no copy). One size may be -1 and is then inferred.
    /// </summary>
    public Tensor Reshape(params int[] newShape)
    {
        newShape = (int[])newShape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < newShape.Length; i++)
        {
            if (newShape[i] == -1)
            {
                if (infer >= 0) throw new TensorShapeException("Reshape", $"only one size may be -1 in {TensorShape.Format(newShape)}");
                infer = i;
            }
            else known *= newShape[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
                throw new TensorShapeException("Reshape", $"cannot reshape {TensorShape.Format(shape)} ({Length} elements) to {TensorShape.Format(newShape)}");
            newShape[infer] = (int)(Length / known);
        }
        if (TensorShape.ElementCount(newShape) != Length)
            throw new TensorShapeException("Reshape", $"cannot reshape {TensorShape.Format(shape)} ({Length} elements) to {TensorShape.Format(newShape)}");
        var result = new Tensor(storage, offset, newShape);
        var oldShape = shape;
        return GradNode.Record("reshape", result, [this], g => [g.Reshape(oldShape)]);
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (a view).</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new TensorShapeException("Unsqueeze", $"axis {axis} is out of range for shape {TensorShape.Format(shape)}");
        var list = shape.ToList();
        list.Insert(a, 1);
        return Reshape([.. list]);
    }

    /// <summary>Removes an axis of size 1 (a view).</summary>
    public Tensor Squeeze(int axis)
    {
        int a = NormalizeAxis(axis, "Squeeze");
        if (shape[a] != 1) throw new TensorShapeException("Squeeze", $"axis {axis} has size {shape[a]}, not 1, in {TensorShape.Format(shape)}");
        var list = shape.ToList();
        list.RemoveAt(a);
        return Reshape([.. list]);
    }

    /// <summary>Flattens all axes from <paramref name="startAxis"/> on into one (a view).</summary>
    public Tensor Flatten(int startAxis = 0)
    {
        int s = NormalizeAxis(startAxis, "Flatten");
        return Reshape([.. shape.AsSpan(0, s), -1]);
    }

    /// <summary>Swaps two axes (copies the data).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a0 = NormalizeAxis(axis0, "Transpose"), a1 = NormalizeAxis(axis1, "Transpose");
        var perm = new int[Rank];
        for (int i = 0; i < perm.Length; i++) perm[i] = i;
        (perm[a0], perm[a1]) = (perm[a1], perm[a0]);
        return Permute(perm);
    }

    /// <summary>Reorders the axes: output axis i is input axis <c>axes[i]</c> (copies the data).</summary>
    public Tensor Permute(params int[] axes)
    {
        if (axes.Length != Rank)
            throw new TensorShapeException("Permute", $"{axes.Length} axes given for shape {TensorShape.Format(shape)}");
        var seen = new bool[Rank];
        var normalized = new int[Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            int a = NormalizeAxis(axes[i], "Permute");
            if (seen[a]) throw new TensorShapeException("Permute", $"axis {axes[i]} appears twice in ({string.Join(", ", axes)})");
            seen[a] = true;
            normalized[i] = a;
        }
        var outShape = new int[Rank];
        for (int i = 0; i < Rank; i++) outShape[i] = shape[normalized[i]];
        var result = new Tensor(outShape, clear: false);
        PermuteInto(Data, shape, normalized, result.Data);

        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[normalized[i]] = i;
        return GradNode.Record("permute", result, [this], g => [g.Permute(inverse)]);
    }

    private static void PermuteInto(ReadOnlySpan<float> src, int[] srcShape, int[] perm, Span<float> dst)
    {
        int rank = srcShape.Length;
        var srcStrides = TensorShape.Strides(srcShape);
        var outShape = new int[rank];
        var stepStrides = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            outShape[i] = srcShape[perm[i]];
            stepStrides[i] = srcStrides[perm[i]];
        }
        if (rank == 0) { if (dst.Length > 0) dst[0] = src[0]; return; }
        // Walk the output in order; the innermost axis is a strided gather from the source.
        int inner = outShape[rank - 1], innerStride = stepStrides[rank - 1];
        var index = new int[rank];
        int srcOffset = 0;
        for (int start = 0; start < dst.Length; start += inner)
        {
            for (int j = 0, s = srcOffset; j < inner; j++, s += innerStride) dst[start + j] = src[s];
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                index[axis]++;
                srcOffset += stepStrides[axis];
                if (index[axis] < outShape[axis]) break;
                srcOffset -= stepStrides[axis] * index[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>
    /// The elements with index start .. start+length-1 along an axis. A view when every axis before
    /// <paramref name="axis"/> has size 1 (e.g. slicing the leading axis); otherwise a copy.
    /// </summary>
    public Tensor Slice(int axis, int start, int length)
    {
        int a = NormalizeAxis(axis, "Slice");
        if (start < 0 || length < 0 || start + length > shape[a])
            throw new TensorShapeException("Slice", $"range [{start}, {start + length}) is outside axis {axis} of size {shape[a]} in {TensorShape.Format(shape)}");
        var outShape = (int[])shape.Clone();
        outShape[a] = length;
        int inner = 1;
        for (int i = a + 1; i < Rank; i++) inner *= shape[i];
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= shape[i];

        Tensor result;
        if (outer == 1)
        {
            result = new Tensor(storage, offset + start * inner, outShape);
        }
        else
        {
            result = new Tensor(outShape, clear: false);
            var src = Data;
            var dst = result.Data;
            int srcBlock = shape[a] * inner, dstBlock = length * inner;
            for (int o = 0; o < outer; o++)
                src.Slice(o * srcBlock + start * inner, dstBlock).CopyTo(dst.Slice(o * dstBlock, dstBlock));
        }
        var inShape = shape;
        return GradNode.Record("slice", result, [this], g =>
        {
            var dx = new Tensor((int[])inShape.Clone());
            var gd = g.Data;
            var d = dx.Data;
            int srcBlock = inShape[a] * inner, dstBlock = length * inner;
            for (int o = 0; o < outer; o++)
                gd.Slice(o * dstBlock, dstBlock).CopyTo(d.Slice(o * srcBlock + start * inner, dstBlock));
            return [dx];
        });
    }

    /// <summary>The sub-tensor at one index of an axis, with that axis removed.</summary>
    public Tensor Select(int axis, int index)
    {
        int a = NormalizeAxis(axis, "Select");
        if ((uint)index >= (uint)shape[a])
            throw new TensorShapeException("Select", $"index {index} is out of range for axis {axis} of size {shape[a]} in {TensorShape.Format(shape)}");
        return Slice(a, index, 1).Squeeze(a);
    }

    /// <summary>Joins tensors along an existing axis; all other sizes must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new TensorShapeException("Concat", "needs at least one tensor");
        var first = tensors[0];
        int a = first.NormalizeAxis(axis, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            bool fits = t.Rank == first.Rank;
            for (int i = 0; fits && i < t.Rank; i++) fits = i == a || t.shape[i] == first.shape[i];
            if (!fits)
                throw new TensorShapeException("Concat", $"shapes {string.Join(", ", tensors.Select(x => TensorShape.Format(x.shape)))} differ outside axis {axis}");
            total += t.shape[a];
        }
        var outShape = (int[])first.shape.Clone();
        outShape[a] = total;
        var result = new Tensor(outShape, clear: false);
        int inner = 1;
        for (int i = a + 1; i < first.Rank; i++) inner *= first.shape[i];
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= first.shape[i];
        var dst = result.Data;
        int dstBlock = total * inner;
        int position = 0;
        foreach (var t in tensors)
        {
            int block = t.shape[a] * inner;
            var src = t.Data;
            for (int o = 0; o < outer; o++)
                src.Slice(o * block, block).CopyTo(dst.Slice(o * dstBlock + position, block));
            position += block;
        }
        var inputs = tensors.ToArray();
        return GradNode.Record("concat", result, inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            int startIndex = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                int size = inputs[i].shape[a];
                if (inputs[i].RequiresGrad) grads[i] = g.Slice(a, startIndex, size);
                startIndex += size;
            }
            return grads;
        });
    }

    /// <summary>Splits along an axis into pieces of the given sizes (which must add up to the axis size).</summary>
    public Tensor[] Split(int[] sizes, int axis)
    {
        int a = NormalizeAxis(axis, "Split");
        if (sizes.Sum() != shape[a])
            throw new TensorShapeException("Split", $"sizes ({string.Join(", ", sizes)}) do not add up to {shape[a]}, the size of axis {axis} in {TensorShape.Format(shape)}");
        var pieces = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            pieces[i] = Slice(a, start, sizes[i]);
            start += sizes[i];
        }
        return pieces;
    }

    /// <summary>Splits along an axis into <paramref name="count"/> equal pieces.</summary>
    public Tensor[] Chunk(int count, int axis)
    {
        int a = NormalizeAxis(axis, "Chunk");
        if (count <= 0 || shape[a] % count != 0)
            throw new TensorShapeException("Chunk", $"axis {axis} of size {shape[a]} in {TensorShape.Format(shape)} does not split into {count} equal pieces");
        return Split(Enumerable.Repeat(shape[a] / count, count).ToArray(), a);
    }

    /// <summary>Joins tensors of one shape along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new TensorShapeException("Stack", "needs at least one tensor");
        foreach (var t in tensors)
            if (!TensorShape.SameAs(t.shape, tensors[0].shape))
                throw new TensorShapeException("Stack", $"shapes differ: {string.Join(", ", tensors.Select(x => TensorShape.Format(x.shape)))}");
        return Concat(tensors.Select(t => t.Unsqueeze(axis)).ToArray(), axis);
    }
}
