using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Creation_functions_fill_the_requested_shape()
    {
        Assert.Equal(new[] { 2, 3 }, Tensor.Zeros(2, 3).GetShape());
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full(2.5f, 2, 2).ToArray(), v => Assert.Equal(2.5f, v));
        Assert.Equal(new[] { 0f, 0.5f, 1f, 1.5f }, Tensor.Arange(0, 2, 0.5f).ToArray());
        Assert.Equal(0, Tensor.Scalar(3f).Rank);
        Assert.Equal(3f, Tensor.Scalar(3f).Item());
    }

    [Fact]
    public void Random_tensors_follow_their_distribution_and_seed()
    {
        var a = Tensor.RandomNormal(new RandomGenerator(5), 1f, 2f, 20000);
        var b = Tensor.RandomNormal(new RandomGenerator(5), 1f, 2f, 20000);
        Assert.Equal(a.ToArray(), b.ToArray());
        double mean = a.ToArray().Average();
        double std = Math.Sqrt(a.ToArray().Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 0.95, 1.05);
        Assert.InRange(std, 1.95, 2.05);
        var u = Tensor.RandomUniform(new RandomGenerator(6), -3f, -1f, 1000).ToArray();
        Assert.All(u, v => Assert.InRange(v, -3f, -1f));
    }

    [Fact]
    public void Reshape_and_leading_slices_are_views_of_the_same_storage()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        var row = t.Slice(0, 1, 1);
        row.Data[0] = 100f;
        Assert.Equal(100f, t[1, 0]);
        var flat = t.Reshape(-1);
        Assert.Equal(new[] { 12 }, flat.GetShape());
        Assert.Equal(100f, flat.Data[4]);
    }

    [Fact]
    public void Broadcasting_follows_numpy_rules()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        var b = Tensor.FromArray([10f, 20f], 1, 2);
        var c = a + b;
        Assert.Equal(new[] { 3, 2 }, c.GetShape());
        Assert.Equal(new[] { 11f, 21f, 12f, 22f, 13f, 23f }, c.ToArray());
        var d = Tensor.FromArray([1f, 2f], 2) - Tensor.Ones(3, 2);
        Assert.Equal(new[] { 0f, 1f, 0f, 1f, 0f, 1f }, d.ToArray());
    }

    [Fact]
    public void Shape_errors_name_the_operation_and_the_shapes()
    {
        var ex = Assert.Throws<TensorShapeException>(() => Tensor.MatMul(Tensor.Zeros(3, 4), Tensor.Zeros(5, 2)));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("(3, 4)", ex.Message);
        Assert.Contains("(5, 2)", ex.Message);
        var add = Assert.Throws<TensorShapeException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("Add", add.Message);
        Assert.Contains("(2, 3)", add.Message);
        Assert.Throws<TensorShapeException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Throws<TensorShapeException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)], 1));
    }

    [Fact]
    public void Matmul_computes_the_matrix_product()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = Tensor.FromArray([7f, 8f, 9f, 10f, 11f, 12f], 3, 2);
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, Tensor.MatMul(a, b).ToArray());
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, Tensor.MatMul(a, b.Transpose(0, 1), transposeB: true).ToArray());
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, Tensor.MatMul(a.Transpose(0, 1), b, transposeA: true).ToArray());
    }

    [Fact]
    public void Reductions_and_argmax_work_along_any_axis()
    {
        var t = Tensor.FromArray([1f, 5f, 2f, 7f, 3f, 0f], 2, 3);
        Assert.Equal(new[] { 8f, 8f, 2f }, t.Sum(0).ToArray());
        Assert.Equal(new[] { 8f, 10f }, t.Sum(1).ToArray());
        Assert.Equal(new[] { 5f, 7f }, t.Max(1).ToArray());
        Assert.Equal(new[] { 1f, 0f }, t.ArgMax(1).ToArray());
        Assert.Equal(new[] { 1, 0 }, t.ArgMaxRows());
        Assert.Equal(18f, t.Sum().Item());
        Assert.Equal(3f, t.Mean().Item());
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_log_softmax_is_stable()
    {
        var t = Tensor.FromArray([1000f, 1001f, 1002f, -5f, 0f, 5f], 2, 3);
        var s = t.Softmax();
        Assert.Equal(1.0, s.Data[..3].ToArray().Sum(), 5);
        var ls = t.LogSoftmax();
        Assert.All(ls.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(Math.Log(Math.Exp(2) / (1 + Math.Exp(1) + Math.Exp(2))), ls.Data[2], 5);
    }

    [Fact]
    public void Concat_split_stack_permute_roundtrip()
    {
        var a = Tensor.Arange(6).Reshape(2, 3);
        var b = Tensor.Arange(6, 10).Reshape(2, 2);
        var c = Tensor.Concat([a, b], 1);
        Assert.Equal(new[] { 0f, 1f, 2f, 6f, 7f, 3f, 4f, 5f, 8f, 9f }, c.ToArray());
        var parts = c.Split([3, 2], 1);
        Assert.Equal(a.ToArray(), parts[0].ToArray());
        Assert.Equal(b.ToArray(), parts[1].ToArray());
        var s = Tensor.Stack([a, a], 0);
        Assert.Equal(new[] { 2, 2, 3 }, s.GetShape());
        var p = Tensor.Arange(24).Reshape(2, 3, 4).Permute(2, 0, 1);
        Assert.Equal(new[] { 4, 2, 3 }, p.GetShape());
        Assert.Equal(13f, p[1, 1, 0]); // element (1, 0, 1) of the source
    }

    [Fact]
    public void Gather_rows_and_index_select_pick_entries()
    {
        var table = Tensor.Arange(6).Reshape(3, 2);
        Assert.Equal(new[] { 4f, 5f, 0f, 1f }, Tensor.GatherRows(table, [2, 0]).ToArray());
        var e = Assert.Throws<TensorShapeException>(() => Tensor.GatherRows(table, [3]));
        Assert.Contains("index 3", e.Message);
        Assert.Equal(new[] { 1f, 1f, 3f, 3f, 5f, 5f }, table.IndexSelect(1, [1, 1]).ToArray());
    }

    [Fact]
    public void Dropout_zeroes_about_p_and_rescales_the_rest()
    {
        var x = Tensor.Ones(10000);
        var y = x.Dropout(0.25f, training: true, new RandomGenerator(1)).ToArray();
        double zeros = y.Count(v => v == 0f) / 10000.0;
        Assert.InRange(zeros, 0.23, 0.27);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / 0.75f, v, 5));
        Assert.Same(x, x.Dropout(0.25f, training: false, new RandomGenerator(1)));
    }

    [Fact]
    public void Conv2d_matches_a_direct_sum()
    {
        var r = new RandomGenerator(3);
        var x = Tensor.RandomNormal(r, 0, 1, 2, 3, 5, 4);
        var w = Tensor.RandomNormal(r, 0, 1, 2, 3, 3, 2);
        var b = Tensor.RandomNormal(r, 0, 1, 2);
        var y = Tensor.Conv2d(x, w, b, stride: 2, padding: 1);
        int oh = (5 + 2 - 3) / 2 + 1, ow = (4 + 2 - 2) / 2 + 1;
        Assert.Equal(new[] { 2, 2, oh, ow }, y.GetShape());
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 2; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double s = b[o];
                        for (int c = 0; c < 3; c++)
                            for (int ki = 0; ki < 3; ki++)
                                for (int kj = 0; kj < 2; kj++)
                                {
                                    int yy = i * 2 - 1 + ki, xx = j * 2 - 1 + kj;
                                    if (yy >= 0 && yy < 5 && xx >= 0 && xx < 4) s += x[n, c, yy, xx] * w[o, c, ki, kj];
                                }
                        Assert.Equal(s, y[n, o, i, j], 4);
                    }
    }
}
