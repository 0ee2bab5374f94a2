using System.Numerics.Tensors;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>The sum of all elements (a scalar tensor), accumulated in double.</summary>
    public Tensor Sum()
    {
        double total = 0;
        foreach (float v in Data) total += v;
        var result = Scalar((float)total);
        var inShape = shape;
        // d(Σx)/dx_i = 1
        return GradNode.Record("sum", result, [this], g => [Full(g.Item(), inShape)]);
    }

    /// <summary>The mean of all elements (a scalar tensor).</summary>
    public Tensor Mean() => Sum() * (1f / Math.Max(1, Length));

    /// <summary>Sums along one axis; with <paramref name="keepDim"/> the axis stays with size 1.</summary>
    public Tensor Sum(int axis, bool keepDim = false)
    {
        var (outer, size, inner, a) = AxisLayout(axis, "Sum");
        var outShape = ReducedShape(a, keepDim);
        var result = new Tensor(outShape);
        var src = Data;
        var dst = result.Data;
        for (int o = 0; o < outer; o++)
        {
            var row = dst.Slice(o * inner, inner);
            int baseIndex = o * size * inner;
            if (inner == 1)
            {
                row[0] = TensorPrimitives.Sum(src.Slice(baseIndex, size));
                continue;
            }
            for (int j = 0; j < size; j++)
                TensorPrimitives.Add(row, src.Slice(baseIndex + j * inner, inner), row);
        }
        var inShape = shape;
        return GradNode.Record("sum_axis", result, [this], g =>
        {
            // The gradient of each output is copied to every element that was summed into it.
            var keep = (int[])inShape.Clone();
            keep[a] = 1;
            return [g.Reshape(keep).Expand(inShape)];
        });
    }

    /// <summary>Mean along one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false)
    {
        int a = NormalizeAxis(axis, "Mean");
        return Sum(a, keepDim) * (1f / Math.Max(1, shape[a]));
    }

    /// <summary>The maximum along an axis; the gradient goes to the first maximal element.</summary>
    public Tensor Max(int axis, bool keepDim = false)
    {
        var (outer, size, inner, a) = AxisLayout(axis, "Max");
        if (size == 0) throw new TensorShapeException("Max", $"axis {axis} of {TensorShape.Format(shape)} is empty");
        var outShape = ReducedShape(a, keepDim);
        var result = new Tensor(outShape, clear: false);
        var winners = ArgMaxLayout(outer, size, inner, result.Data);
        var inShape = shape;
        return GradNode.Record("max_axis", result, [this], g =>
        {
            var dx = new Tensor((int[])inShape.Clone());
            var gd = g.Data;
            var d = dx.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    d[(o * size + winners[o * inner + i]) * inner + i] = gd[o * inner + i];
            return [dx];
        });
    }

    /// <summary>The index of the maximum along an axis (the first on ties), as float values; not differentiable.</summary>
    public Tensor ArgMax(int axis, bool keepDim = false)
    {
        var (outer, size, inner, a) = AxisLayout(axis, "ArgMax");
        if (size == 0) throw new TensorShapeException("ArgMax", $"axis {axis} of {TensorShape.Format(shape)} is empty");
        var values = new float[outer * inner];
        var winners = ArgMaxLayout(outer, size, inner, values);
        var result = new Tensor(ReducedShape(a, keepDim), clear: false);
        var d = result.Data;
        for (int i = 0; i < d.Length; i++) d[i] = winners[i];
        return result;
    }

    /// <summary>For each row of the last axis, the index of its largest element.</summary>
    public int[] ArgMaxRows()
    {
        var (outer, size, inner, _) = AxisLayout(-1, "ArgMaxRows");
        return ArgMaxLayout(outer, size, inner, new float[outer]);
    }

    private int[] ArgMaxLayout(int outer, int size, int inner, Span<float> maxValues)
    {
        var src = Data;
        var winners = new int[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * size * inner + i;
                float best = src[baseIndex];
                int bestIndex = 0;
                for (int j = 1; j < size; j++)
                {
                    float v = src[baseIndex + j * inner];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        best = v;
                        bestIndex = j;
                    }
                }
                winners[o * inner + i] = bestIndex;
                maxValues[o * inner + i] = best;
            }
        }
        return winners;
    }

    /// <summary>Views the tensor as (outer, size, inner) around one axis.</summary>
    private (int Outer, int Size, int Inner, int Axis) AxisLayout(int axis, string operation)
    {
        int a = NormalizeAxis(axis, operation);
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= shape[i];
        for (int i = a + 1; i < Rank; i++) inner *= shape[i];
        return (outer, shape[a], inner, a);
    }

    private int[] ReducedShape(int axis, bool keepDim)
    {
        var list = shape.ToList();
        if (keepDim) list[axis] = 1;
        else list.RemoveAt(axis);
        return [.. list];
    }
}
