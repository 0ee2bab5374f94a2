using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent.Fused;

/// <summary>
/// The fused layers borrow their activations and step gradients from the shared pool (<see cref="PooledActivations"/>):
/// a buffer handed back dirty must not change a result, and a graph whose buffers were given back refuses a second backward.
/// </summary>
public class PooledActivationsTests
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var cell in new[] { "lstm", "lstm-peephole", "gru", "gru-cho", "rnn" })
            foreach (bool lengths in new[] { false, true })
                data.Add(cell, lengths);
        return data;
    }

    private static RecurrentLayer Create(string cell, RandomGenerator r) => cell switch
    {
        "lstm" => new Lstm(5, 12, 2, bidirectional: true, random: r),
        "lstm-peephole" => new Lstm(5, 12, 1, peephole: true, random: r),
        "gru" => new Gru(5, 12, 2, random: r),
        "gru-cho" => new Gru(5, 12, 1, variant: GruVariant.Cho, random: r),
        "rnn" => new Rnn(5, 12, 2, Nonlinearity.Tanh, random: r),
        _ => throw new ArgumentException(cell),
    };

    /// <summary>Every gradient of one training step, on the same layer, inputs and lengths each time.</summary>
    private static float[][] Step(RecurrentLayer layer, bool withLengths)
    {
        var r = new RandomGenerator(5);
        const int T = 9, B = 6;
        var x = Tensor.RandomNormal(r, 0f, 1f, T, B, 5).WithGrad();
        int[]? lengths = withLengths ? [9, 3, 7, 1, 9, 5] : null;
        foreach (var p in layer.Parameters()) p.ZeroGrad();
        var o = layer.Forward(x, lengths: lengths);
        (o.Output * Tensor.RandomNormal(r, 0f, 1f, T, B, layer.OutputSize)).Sum().Backward();
        return [x.Grad!.ToArray(), .. layer.Parameters().Select(p => p.Grad!.ToArray())];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_step_on_dirty_borrowed_buffers_gives_the_same_gradients(string cell, bool withLengths)
    {
        var layer = Create(cell, new RandomGenerator(3));
        var first = Step(layer, withLengths);
        PooledActivations.PoisonIdleBuffers();   // the second step borrows the first one's buffers, now all NaN
        var second = Step(layer, withLengths);
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.All(second[i], v => Assert.True(float.IsFinite(v)));
            Assert.Equal(first[i], second[i]);
        }
    }

    [Fact]
    public void A_second_backward_through_the_same_graph_is_refused_with_a_clear_error()
    {
        var r = new RandomGenerator(8);
        var layer = new Lstm(4, 6, random: r);
        var x = Tensor.RandomNormal(r, 0f, 1f, 5, 2, 4).WithGrad();
        var loss = layer.Forward(x).Output.Sum();
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("a second time", e.Message);
    }
}
