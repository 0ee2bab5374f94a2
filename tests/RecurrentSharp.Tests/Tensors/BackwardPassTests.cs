using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tensors;

public class BackwardPassTests
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var x = Tensor.FromArray([1f, 2f]).WithGrad();
        (x * x).Sum().Backward();
        Assert.Equal(new[] { 2f, 4f }, x.Grad!.ToArray());
        (x * 3f).Sum().Backward();
        Assert.Equal(new[] { 5f, 7f }, x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void A_tensor_used_twice_receives_both_gradients()
    {
        var x = Tensor.FromArray([3f]).WithGrad();
        var y = x * x + x.Exp(); // dy/dx = 2x + e^x
        y.Sum().Backward();
        Assert.Equal(6f + MathF.Exp(3f), x.Grad!.Item(), 3);
    }

    [Fact]
    public void No_grad_scope_records_nothing()
    {
        var x = Tensor.Ones(2).WithGrad();
        Tensor y;
        using (new NoGradScope()) y = x * 2f;
        Assert.False(y.RequiresGrad);
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void Detach_cuts_the_graph()
    {
        var x = Tensor.FromArray([2f]).WithGrad();
        var y = x.Detach() * x; // only the second factor carries a gradient
        y.Sum().Backward();
        Assert.Equal(2f, x.Grad!.Item());
    }

    [Fact]
    public void Retained_intermediate_gradients_are_stored()
    {
        var x = Tensor.FromArray([1f, 2f]).WithGrad();
        var h = (x * 2f).RetainGrad();
        (h * h).Sum().Backward(); // dL/dh = 2h
        Assert.Equal(new[] { 4f, 8f }, h.Grad!.ToArray());
    }

    [Fact]
    public void Backward_needs_a_gradient_for_non_scalars()
    {
        var x = Tensor.Ones(3).WithGrad();
        var ex = Assert.Throws<TensorShapeException>(() => (x * 2f).Backward());
        Assert.Contains("(3)", ex.Message);
        (x * 2f).Backward(Tensor.FromArray([1f, 0f, 2f]));
        Assert.Equal(new[] { 2f, 0f, 4f }, x.Grad!.ToArray());
    }

    [Fact]
    public void Long_chains_do_not_overflow_the_stack()
    {
        var x = Tensor.FromArray([1f]).WithGrad();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1f;
        y.Sum().Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }

    [Fact]
    public void A_taken_gradient_accumulates_over_later_backward_calls_like_a_copied_one()
    {
        // A fused recurrent layer's gradients are taken by its parameters without a copy. Backpropagating the same
        // loss twice must double each one: the array taken first must not be shared with the second backward.
        var r = new RandomGenerator(1);
        var layer = new RecurrentSharp.Recurrent.Lstm(3, 4, random: r);
        var x = Tensor.RandomNormal(r, 0f, 1f, 5, 2, 3).WithGrad();
        var weights = Tensor.RandomNormal(r, 0f, 1f, 5, 2, 4);
        float[][] Gradients() => [.. layer.Parameters().Select(p => p.Grad!.ToArray()), x.Grad!.ToArray()];
        (layer.Forward(x).Output * weights).Sum().Backward();
        var once = Gradients();
        (layer.Forward(x).Output * weights).Sum().Backward();
        var twice = Gradients();
        for (int i = 0; i < once.Length; i++)
            for (int j = 0; j < once[i].Length; j++) Assert.Equal(2 * once[i][j], twice[i][j], 1e-5f);
    }

    [Fact]
    public void A_retained_gradient_is_copied_so_later_sums_leave_the_pending_one_alone()
    {
        // h feeds two fused layers and keeps its gradient: the leaf below must get the sum of both, not more.
        var r = new RandomGenerator(4);
        var x = Tensor.RandomNormal(r, 0f, 1f, 5, 2, 3).WithGrad();
        var h = (x * 2f).RetainGrad();
        var a = new RecurrentSharp.Recurrent.Lstm(3, 4, random: r);
        var b = new RecurrentSharp.Recurrent.Lstm(3, 4, random: r);
        (a.Forward(h).Output.Sum() + b.Forward(h).Output.Sum()).Backward();
        var expected = h.Grad!.ToArray().Select(v => 2f * v).ToArray();
        Assert.Equal(expected, x.Grad!.ToArray());
    }
}
