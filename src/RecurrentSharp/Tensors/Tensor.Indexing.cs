using System.Numerics.Tensors;

namespace RecurrentSharp.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Looks up rows of a (rows, width) table: the result has shape <paramref name="indexShape"/> + (width).
    /// This is an embedding lookup; the gradient adds each output row back into its table row.
    /// </summary>
    public static Tensor GatherRows(Tensor table, ReadOnlySpan<int> indices, params int[] indexShape)
    {
        if (table.Rank != 2)
            throw new TensorShapeException("GatherRows", $"needs a 2-D table, got {TensorShape.Format(table.shape)}");
        if (indexShape.Length == 0) indexShape = [indices.Length];
        if (TensorShape.ElementCount(indexShape) != indices.Length)
            throw new TensorShapeException("GatherRows", $"{indices.Length} indices do not fill index shape {TensorShape.Format(indexShape)}");
        int rows = table.shape[0], width = table.shape[1];
        var result = new Tensor([.. indexShape, width], clear: false);
        var src = table.Data;
        var dst = result.Data;
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)rows)
                throw new TensorShapeException("GatherRows", $"index {r} at position {i} is outside the table's {rows} rows");
            src.Slice(r * width, width).CopyTo(dst.Slice(i * width, width));
        }
        var saved = indices.ToArray();
        return GradNode.Record("gather_rows", result, [table], g =>
        {
            // d table[r] = Σ over positions i with indices[i] == r of g[i]
            var dt = new Tensor([rows, width]);
            var gd = g.Data;
            var d = dt.Data;
            for (int i = 0; i < saved.Length; i++)
            {
                var row = d.Slice(saved[i] * width, width);
                TensorPrimitives.Add(row, gd.Slice(i * width, width), row);
            }
            return [dt];
        });
    }

    /// <summary>Picks the entries <paramref name="indices"/> along an axis (indices may repeat).</summary>
    public Tensor IndexSelect(int axis, ReadOnlySpan<int> indices)
    {
        var (outer, size, inner, a) = AxisLayout(axis, "IndexSelect");
        var outShape = (int[])shape.Clone();
        outShape[a] = indices.Length;
        var result = new Tensor(outShape, clear: false);
        var src = Data;
        var dst = result.Data;
        var saved = indices.ToArray();
        for (int i = 0; i < saved.Length; i++)
            if ((uint)saved[i] >= (uint)size)
                throw new TensorShapeException("IndexSelect", $"index {saved[i]} is outside axis {axis} of size {size} in {TensorShape.Format(shape)}");
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < saved.Length; i++)
                src.Slice((o * size + saved[i]) * inner, inner).CopyTo(dst.Slice((o * saved.Length + i) * inner, inner));
        var inShape = shape;
        return GradNode.Record("index_select", result, [this], g =>
        {
            var dx = new Tensor((int[])inShape.Clone());
            var gd = g.Data;
            var d = dx.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < saved.Length; i++)
                {
                    var row = d.Slice((o * size + saved[i]) * inner, inner);
                    TensorPrimitives.Add(row, gd.Slice((o * saved.Length + i) * inner, inner), row);
                }
            return [dx];
        });
    }

    /// <summary>Replaces the elements where <paramref name="mask"/> (broadcast to this shape) is non-zero by <paramref name="value"/>.</summary>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        var m = mask.Expand(TensorShape.Broadcast(shape, mask.shape, "MaskedFill"));
        if (!TensorShape.SameAs(m.shape, shape))
            throw new TensorShapeException("MaskedFill", $"mask {TensorShape.Format(mask.shape)} would enlarge tensor {TensorShape.Format(shape)}");
        var result = Map((x, y) => x.CopyTo(y));
        var r = result.Data;
        for (int i = 0; i < r.Length; i++) if (m.Data[i] != 0f) r[i] = value;
        return GradNode.Record("masked_fill", result, [this], g =>
        {
            var dx = g.Clone();
            var d = dx.Data;
            var md = m.Data;
            for (int i = 0; i < d.Length; i++) if (md[i] != 0f) d[i] = 0f;
            return [dx];
        });
    }

    /// <summary>Element-wise choice: <paramref name="a"/> where <paramref name="condition"/> is non-zero, else <paramref name="b"/> (all broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var outShape = TensorShape.Broadcast(TensorShape.Broadcast(condition.shape, a.shape, "Where"), b.shape, "Where");
        var cond = condition.Expand(outShape);
        var c = cond.Data;
        var ea = a.Expand(outShape).Data;
        var eb = b.Expand(outShape).Data;
        var result = new Tensor(outShape, clear: false);
        var r = result.Data;
        for (int i = 0; i < r.Length; i++) r[i] = c[i] != 0f ? ea[i] : eb[i];
        return GradNode.Record("where", result, [a, b], g =>
        {
            var ga = new Tensor((int[])outShape.Clone());
            var gb = new Tensor((int[])outShape.Clone());
            var gd = g.Data;
            var cd = cond.Data;
            for (int i = 0; i < gd.Length; i++)
            {
                if (cd[i] != 0f) ga.Data[i] = gd[i];
                else gb.Data[i] = gd[i];
            }
            return [SumTo(ga, a), SumTo(gb, b)];
        });
    }

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="p"/> and
    /// scales the rest by 1/(1-p); otherwise returns the input unchanged.
    /// </summary>
    public Tensor Dropout(float p, bool training, RandomGenerator random)
    {
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        if (!training || p == 0f) return this;
        var mask = new float[Length];
        float scale = 1f / (1f - p);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextFloat() >= p ? scale : 0f;
        return this * Wrap(mask, GetShape());
    }
}
