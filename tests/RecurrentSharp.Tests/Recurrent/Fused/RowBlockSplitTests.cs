using RecurrentSharp.Kernels;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Recurrent.Fused;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent.Fused;

/// <summary>
/// A fused layer whose batch is split into row blocks, one per thread, each run through every step on its own
/// (<c>DirectionPass.RunRowBlocks</c>), gives the outputs, final states and gradients of the same layer run with the
/// rows together, to rounding: the split changes which thread computes a row, not what it computes, but a row may land
/// in a one-row remainder of a product (whose kernel sums in another order), and the peephole weights' gradient, a sum
/// over rows, is added up block by block. With the rows together on 2 threads, the LSTM variants and PyTorch's GRU split each
/// step's gate kernels and output rows across the threads instead (<c>DirectionPass.StepRows</c>), so for them the comparison
/// checks that split as well (Cho's GRU and Elman keep their element-wise work on the caller).
/// </summary>
[Collection("Console")]
public class RowBlockSplitTests
{
    public static TheoryData<string> Cells() => new() { "lstm", "lstm-peephole", "lstm-coupled", "gru", "gru-cho", "rnn" };

    private static RecurrentLayer Create(string cell, RandomGenerator r) => cell switch
    {
        "lstm" => new Lstm(5, 16, 2, random: r),
        "lstm-peephole" => new Lstm(5, 16, 2, peephole: true, random: r),
        "lstm-coupled" => new Lstm(5, 16, 2, coupledGates: true, random: r),
        "gru" => new Gru(5, 16, 2, random: r),
        "gru-cho" => new Gru(5, 16, 2, variant: GruVariant.Cho, random: r),
        "rnn" => new Rnn(5, 16, 2, Nonlinearity.Tanh, random: r),
        _ => throw new ArgumentException(cell),
    };

    /// <summary>Output, h_n, c_n and every gradient of a loss that weighs each output differently.</summary>
    private static List<(string Name, float[] Values)> Run(string cell, int minRowsPerBlock)
    {
        int saved = DirectionPass.MinRowsPerBlock;
        DirectionPass.MinRowsPerBlock = minRowsPerBlock;
        try
        {
            var r = new RandomGenerator(23);
            var layer = Create(cell, r);
            const int T = 7, B = 30;
            var x = Tensor.RandomNormal(r, 0f, 1f, T, B, 5).WithGrad();
            var h0 = Tensor.RandomNormal(r, 0f, 1f, 2, B, 16).WithGrad();
            var c0 = layer.Cell.HasCellState ? Tensor.RandomNormal(r, 0f, 1f, 2, B, 16).WithGrad() : null;
            var lengths = Enumerable.Range(0, B).Select(b => 1 + (b * 5) % T).ToArray();
            var o = layer.Forward(x, h0, c0, lengths);
            var loss = (o.Output * Tensor.RandomNormal(r, 0f, 1f, T, B, 16)).Sum() + (o.Hidden * Tensor.RandomNormal(r, 0f, 1f, 2, B, 16)).Sum();
            if (o.Cell is not null) loss = loss + (o.Cell * Tensor.RandomNormal(r, 0f, 1f, 2, B, 16)).Sum();
            loss.Backward();
            var result = new List<(string, float[])> { ("output", o.Output.ToArray()), ("h_n", o.Hidden.ToArray()), ("dx", x.Grad!.ToArray()), ("dh0", h0.Grad!.ToArray()) };
            if (o.Cell is not null) result.AddRange([("c_n", o.Cell.ToArray()), ("dc0", c0!.Grad!.ToArray())]);
            result.AddRange(layer.NamedParameters().Select(p => ("d" + p.Key, p.Value.Grad!.ToArray())));
            return result;
        }
        finally
        {
            DirectionPass.MinRowsPerBlock = saved;
        }
    }

    [Theory]
    [InlineData(50, 2, 6, new[] { 0, 24, 50 })]        // 25 + 25 would leave each block a lone row past 4 tiles of 6
    [InlineData(64, 2, 6, new[] { 0, 32, 64 })]        // 32 = 5 tiles + 2 rows: kept
    [InlineData(50, 2, 12, new[] { 0, 24, 50 })]       // AVX-512's 12-row tiles: 25 = 2 tiles + 1 row
    [InlineData(100, 4, 6, new[] { 0, 24, 50, 74, 100 })]
    [InlineData(30, 2, 4, new[] { 0, 15, 30 })]
    public void Row_blocks_do_not_end_with_a_lone_row_past_their_tiles(int batch, int blocks, int tileRows, int[] expected)
    {
        Assert.Equal(expected, DirectionPass.BlockStarts(batch, blocks, _ => tileRows));
    }

    [Theory]
    [InlineData(50, 2, new[] { 0, 25, 50 })]     // 25 rows pack as 10 + 10 + 5 panels: no lone row, the even split stays
    [InlineData(26, 2, new[] { 0, 13, 26 })]     // 13 = 8 + 5
    [InlineData(100, 4, new[] { 0, 25, 50, 75, 100 })]
    public void On_avx512_panels_of_even_heights_leave_no_lone_row_to_move(int batch, int blocks, int[] expected)
    {
        Assert.Equal(expected, DirectionPass.BlockStarts(batch, blocks, RecurrentSharp.Kernels.GemmDriver<RecurrentSharp.Kernels.MicroKernel512>.PanelRows));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Splitting_the_batch_across_threads_changes_no_output_and_no_gradient(string cell)
    {
        // The process-wide thread count (the in-process CLI tests set it with --threads): two, for this test only.
        int threads = KernelThreads.Count;
        KernelThreads.Count = 2;
        List<(string Name, float[] Values)> together, split;
        long splitsBefore;
        try
        {
            together = Run(cell, int.MaxValue);
            splitsBefore = DirectionPass.SplitPasses;
            split = Run(cell, 4);    // 30 rows on 2 threads: two blocks of 15 rows
        }
        finally
        {
            KernelThreads.Count = threads;
        }
        Assert.True(DirectionPass.SplitPasses >= splitsBefore + 4, "the forward and backward passes of both layers split the batch");
        Assert.Equal(together.Count, split.Count);
        for (int i = 0; i < together.Count; i++)
        {
            var (name, expected) = together[i];
            Assert.Equal(name, split[i].Name);
            TensorAssert.Close(expected, split[i].Values, 1e-5, $"{cell} {name}");
        }
    }
}
