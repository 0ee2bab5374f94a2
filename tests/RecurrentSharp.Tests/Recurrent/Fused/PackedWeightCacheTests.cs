using RecurrentSharp.Kernels;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Fused;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent.Fused;

/// <summary>
/// Inference passes take the packed weights of the previous pass while the weights are bit for bit the same, and pack again
/// once anything has written them: an edit through <see cref="Tensor.Data"/> between two passes must show in the second pass's
/// output (a stale packing would give the first weights' output).
/// In the "Console" collection, which runs alone: the static counters it reads (<c>PackedWeightCache.Reuses</c>,
/// <c>DirectionPass.StepInputPasses</c>) then count only its own passes.
/// </summary>
[Collection("Console")]
public class PackedWeightCacheTests
{
    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var cell in new[] { "lstm", "gru", "gru-cho", "rnn" })
            foreach (int batch in new[] { 1, 12 })          // B = 1 projects all steps first; B = 12 with I = 64 step by step (LSTM, GRU)
                foreach (int threads in new[] { 1, 2 })
                    data.Add(cell, batch, threads);
        return data;
    }

    private static RecurrentLayer Layer(string cell, RandomGenerator r) => cell switch
    {
        "lstm" => new Lstm(64, 16, 2, random: r),
        "gru" => new Gru(64, 16, 2, random: r),
        "gru-cho" => RecurrentLayer.Create(CellSpec.Parse("gru-cho"), 64, 16, 2, bidirectional: false, random: r),
        _ => new Rnn(64, 16, 2, random: r),
    };

    private static float[] Infer(RecurrentLayer layer, Tensor x)
    {
        using var noGrad = new NoGradScope();
        return layer.Forward(x).Output.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_weight_written_between_inference_passes_is_packed_again(string cell, int batch, int threads)
    {
        using var limit = KernelThreads.Limit(threads);
        var r = new RandomGenerator(5);
        var layer = Layer(cell, r);
        var x = Tensor.RandomNormal(r, 0f, 1f, 7, batch, 64);
        long stepPasses = DirectionPass.StepInputPasses;
        var first = Infer(layer, x);
        if (batch >= DirectionPass.StepInputMinimumBatch && cell is "lstm" or "gru")
            Assert.True(DirectionPass.StepInputPasses >= stepPasses + 1, "B = 12 projected the first layer's inputs (I = 64) step by step");
        long before = PackedWeightCache.Reuses;
        var again = Infer(layer, x);
        // one reuse per kept packing of both layers: W_hh, W_ih (and Cho's separate n block of W_hh)
        Assert.True(PackedWeightCache.Reuses >= before + (cell == "gru-cho" ? 6 : 4), "the second pass with the same weights reused every packing");
        Assert.Equal(first, again);

        // Write one element in every gate block (every 16 rows) of each weight matrix of the first layer, as an optimizer
        // step or a state-dict load would: Cho's GRU packs the n block of W_hh on its own
        foreach (var (name, p) in layer.NamedParameters().Where(p => p.Key.StartsWith("weight_", StringComparison.Ordinal) && p.Key.EndsWith("_l0", StringComparison.Ordinal)))
        {
            int rows = p.Shape[0], columns = p.Shape[1];
            for (int row = 0; row < rows; row += 16) p.Data[row * columns + row / 16 % columns] += 0.75f;
        }
        var edited = Infer(layer, x);

        // The reference: the same layer's weights in a layer that never ran
        var fresh = Layer(cell, new RandomGenerator(5));
        fresh.LoadStateDict(layer.StateDict());
        var expected = Infer(fresh, x);
        TensorAssert.Close(expected, edited, 1e-6, $"{cell} B={batch} threads={threads}");
        Assert.True(first.Zip(edited).Max(pair => MathF.Abs(pair.First - pair.Second)) > 1e-3f, "the edit changed the output");
    }

    [Fact]
    public void A_weight_one_ulp_away_is_packed_again()
    {
        // W (16 × 8) packed transposed: the product of a row of ones with it gives each row's sum of W, here W[3, 5] alone
        var cache = new PackedWeightCache();
        var weights = new float[16 * 8];
        weights[3 * 8 + 5] = 1f;
        var ones = Enumerable.Repeat(1f, 8).ToArray();
        var sums = new float[16];
        using (var lease = cache.Rent(weights, 8, transposed: true, 0, 16, reuseUnchanged: true))
            Gemm.Multiply(false, 1, 1f, ones, 8, lease.Matrix, 0f, sums, 16);
        Assert.Equal(1f, sums[3]);
        weights[3 * 8 + 5] = MathF.BitIncrement(1f);
        using (var lease = cache.Rent(weights, 8, transposed: true, 0, 16, reuseUnchanged: true))
            Gemm.Multiply(false, 1, 1f, ones, 8, lease.Matrix, 0f, sums, 16);
        Assert.Equal(MathF.BitIncrement(1f), sums[3]);
    }

    [Fact]
    public void A_lease_given_back_twice_is_an_error()
    {
        // the second return could hand the buffer to a third pass while another holds it
        var cache = new PackedWeightCache();
        var lease = cache.Rent(new float[16 * 8], 8, transposed: true, 0, 16);
        var copy = lease;
        lease.Dispose();
        Assert.Throws<InvalidOperationException>(() => copy.Dispose());
    }
}
