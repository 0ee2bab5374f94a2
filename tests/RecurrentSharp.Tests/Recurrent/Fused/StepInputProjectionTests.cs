using RecurrentSharp.Kernels;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Fused;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent.Fused;

/// <summary>
/// An LSTM or GRU (PyTorch's form) inference pass that projects each step's input in the step loop (<c>DirectionPass.StepInputMinimum</c>) gives the
/// outputs and final states of the same pass with all steps projected first, to rounding (a step's rows may fall in other
/// microkernel tiles than the same rows of the all-steps product, which sum in another order): every LSTM variant and the GRU, stacked and
/// bidirectional, with variable lengths, on 1 and 2 threads.
/// </summary>
[Collection("Console")]
public class StepInputProjectionTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var cell in new[] { "lstm", "lstm-peephole", "lstm-coupled", "gru" })
            foreach (int threads in new[] { 1, 2 })
                data.Add(cell, threads);
        return data;
    }

    private static List<(string Name, float[] Values)> Infer(string cell, int threads, int stepInputMinimum)
    {
        int saved = DirectionPass.StepInputMinimum;
        DirectionPass.StepInputMinimum = stepInputMinimum;
        try
        {
            var r = new RandomGenerator(31);
            RecurrentLayer layer = cell switch
            {
                "lstm" => new Lstm(6, 16, 2, bidirectional: true, random: r),
                "lstm-peephole" => new Lstm(6, 16, 2, bidirectional: true, peephole: true, random: r),
                "lstm-coupled" => new Lstm(6, 16, 2, bidirectional: true, coupledGates: true, random: r),
                _ => new Gru(6, 16, 2, bidirectional: true, random: r),
            };
            const int T = 9, B = 30;
            var x = Tensor.RandomNormal(r, 0f, 1f, T, B, 6);
            var h0 = Tensor.RandomNormal(r, 0f, 1f, 4, B, 16);
            var c0 = layer.Cell.HasCellState ? Tensor.RandomNormal(r, 0f, 1f, 4, B, 16) : null;
            var lengths = Enumerable.Range(0, B).Select(b => 1 + (b * 7) % T).ToArray();
            using var limit = KernelThreads.Limit(threads);
            using var noGrad = new NoGradScope();
            var o = layer.Forward(x, h0, c0, lengths);
            var result = new List<(string, float[])> { ("output", o.Output.ToArray()), ("h_n", o.Hidden.ToArray()) };
            if (o.Cell is not null) result.Add(("c_n", o.Cell.ToArray()));
            return result;
        }
        finally
        {
            DirectionPass.StepInputMinimum = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Projecting_each_step_in_the_loop_matches_projecting_all_steps_first(string cell, int threads)
    {
        var allSteps = Infer(cell, threads, int.MaxValue);
        long before = DirectionPass.StepInputPasses;
        var stepByStep = Infer(cell, threads, 1);
        Assert.True(DirectionPass.StepInputPasses >= before + 4, "every direction of both layers projected step by step");   // 2 layers x 2 directions
        for (int i = 0; i < allSteps.Count; i++)
            TensorAssert.Close(allSteps[i].Values, stepByStep[i].Values, 1e-5, $"{cell} threads={threads} {allSteps[i].Name}");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(64, true)]
    public void A_batch_of_a_few_rows_projects_all_steps_first_and_a_larger_one_step_by_step(int batch, bool stepByStep)
    {
        // An LSTM layer with I = 64, H = 64 (W_ih and W_hh 64 KB each, together within any L2 of 128 KB or more): only the batch
        // decides, and never in training
        Assert.Equal(stepByStep, DirectionPass.ProjectsInputsPerStep(keepActivations: false, inputSize: 64, hiddenSize: 64, batch, gateWidth: 256));
        Assert.False(DirectionPass.ProjectsInputsPerStep(keepActivations: true, inputSize: 64, hiddenSize: 64, batch, gateWidth: 256));
    }

    [Fact]
    public void A_hidden_weight_that_fits_L2_alone_keeps_the_all_steps_projection()
    {
        // gate width 256: W_hh is exactly L2 with L2 / 1 KB hidden units; W_ih, 64 wide, is 64 KB
        int fitting = (int)(CacheSizes.L2 / (256 * sizeof(float)));
        Assert.False(DirectionPass.ProjectsInputsPerStep(keepActivations: false, inputSize: 64, hiddenSize: fitting, batch: 64, gateWidth: 256),
            "W_hh fits L2, W_hh and W_ih together do not: the step-by-step product would push W_hh out");
        Assert.True(DirectionPass.ProjectsInputsPerStep(keepActivations: false, inputSize: 64, hiddenSize: 2 * fitting, batch: 64, gateWidth: 256),
            "W_hh streams from L3 anyway");
    }
}
