using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>Bidirectional wrappers, mixed stacks, pyramids, Jordan networks and stateful layers.</summary>
public class StructureTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void Bidirectional_wrapper_equals_the_built_in_bidirectional_layer(string cellName)
    {
        var r = new RandomGenerator(3);
        var cell = CellSpec.Parse(cellName);
        var builtIn = RecurrentLayer.Create(cell, 3, 4, bidirectional: true, batchFirst: true, random: r);
        var forward = RecurrentLayer.Create(cell, 3, 4, batchFirst: true, random: r);
        var backward = RecurrentLayer.Create(cell, 3, 4, batchFirst: true, random: r);
        var state = builtIn.StateDict();
        forward.LoadStateDict(forward.NamedParameters().ToDictionary(p => p.Key, p => state[p.Key]));
        backward.LoadStateDict(backward.NamedParameters().ToDictionary(p => p.Key, p => state[p.Key + "_reverse"]));
        var wrapper = new Bidirectional(forward, backward);
        var x = Tensor.RandomNormal(r, 0, 1, 3, 6, 3);
        int[] lengths = [6, 3, 5];
        var expected = builtIn.Forward(x, null, null, lengths);
        var actual = wrapper.Forward(x, null, null, lengths);
        TensorAssert.Close(expected.Output, actual.Output, 1e-6, "output");
        TensorAssert.Close(expected.Hidden, actual.Hidden, 1e-6, "h_n");
        Assert.Equal(8, wrapper.OutputSize);
    }

    [Theory]
    [InlineData(MergeMode.Concat)]
    [InlineData(MergeMode.Sum)]
    [InlineData(MergeMode.Mean)]
    [InlineData(MergeMode.Multiply)]
    public void Bidirectional_merge_modes_match_finite_differences(MergeMode mode)
    {
        var r = new RandomGenerator(4);
        var wrapper = new Bidirectional(new Gru(2, 3, random: r), new Lstm(2, 3, random: r), mode);
        var x = Input(r, 4, 2, 2);
        Assert.Equal(mode == MergeMode.Concat ? 6 : 3, wrapper.OutputSize);
        AssertGradientsMatch(() => wrapper.Forward(x, null, null, [4, 2]).Output, [x, .. wrapper.Parameters()], step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Mixed_stack_runs_each_cell_type_and_matches_finite_differences()
    {
        var r = new RandomGenerator(5);
        var stack = new StackedRnn([
            new Gru(3, 4, bidirectional: true, random: r),
            new Lstm(8, 5, peephole: true, random: r),
            new Rnn(5, 2, random: r),
        ]);
        Assert.Equal(new[] { "0.weight_ih_l0", "0.weight_hh_l0" }, stack.NamedParameters().Take(2).Select(p => p.Key));
        var x = Input(r, 4, 2, 3);
        var layers = stack.ForwardLayers(x, null, [4, 3]);
        Assert.Equal(3, layers.Count);
        Assert.NotNull(layers[1].Cell);
        Assert.Equal(new[] { 4, 2, 2 }, stack.Forward(x, null, null, [4, 3]).Output.GetShape());
        AssertGradientsMatch(() => stack.Forward(x, null, null, [4, 3]).Output, [x, .. stack.Parameters()], step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Pyramid_halves_time_at_each_level_and_keeps_an_odd_last_step()
    {
        var r = new RandomGenerator(6);
        var pyramid = new PyramidalRnn(new CellSpec(CellKind.Lstm), 3, 4, levels: 3, batchFirst: true, random: r);
        var x = Input(r, 2, 7, 3);
        var result = pyramid.Forward(x, null, null, [7, 5]);
        Assert.Equal(new[] { 2, 2, 8 }, result.Output.GetShape());  // 7 -> 4 -> 2
        Assert.Equal(2, pyramid.OutputLength(7));
        Assert.Equal(2, pyramid.OutputLength(5));                    // 5 -> 3 -> 2
        Assert.Equal(1, pyramid.OutputLength(2));
        // The odd last step (index 6) reaches the output: changing it changes the top level.
        var x2 = x.Detach().Clone();
        x2[0, 6, 0] += 1f;
        var changed = pyramid.Forward(x2, null, null, [7, 5]).Output;
        Assert.NotEqual(result.Output[0, 1, 0], changed[0, 1, 0]);
        AssertGradientsMatch(() => pyramid.Forward(x, null, null, [7, 5]).Output, [x, .. pyramid.Parameters()], step: 5e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void Pyramid_level_input_is_pairs_of_steps_side_by_side()
    {
        var r = new RandomGenerator(7);
        var pyramid = new PyramidalRnn(new CellSpec(CellKind.Gru), 2, 3, levels: 2, bidirectional: false, batchFirst: true, random: r);
        Assert.Equal(6, pyramid.Levels[1].InputSize);
        var x = Tensor.RandomNormal(r, 0, 1, 1, 4, 2);
        var bottom = pyramid.Levels[0].Forward(x).Output;                    // (1, 4, 3)
        var paired = bottom.Reshape(1, 2, 6);                                 // [h0|h1], [h2|h3]
        var expected = pyramid.Levels[1].Forward(paired).Output;
        TensorAssert.Close(expected, pyramid.Forward(x).Output, 1e-6);
    }

    [Fact]
    public void Jordan_network_feeds_back_the_previous_output()
    {
        var r = new RandomGenerator(8);
        var jordan = new JordanRnn(3, 5, 2, random: r);
        var x = Input(r, 3, 2, 3);
        var result = jordan.Forward(x);
        // Step by step by hand: h_t = tanh(W_ih x_t + b_ih + W_yh y_{t-1} + b_hh), y_t = W_hy h_t + b_hy.
        var y = Tensor.Zeros(2, 2);
        for (int t = 0; t < 3; t++)
        {
            var h = (Tensor.MatMul(x.Detach().Select(0, t), jordan.WeightIH, transposeB: true) + jordan.BiasIH
                     + Tensor.MatMul(y, jordan.WeightYH, transposeB: true) + jordan.BiasHH).Tanh();
            y = jordan.Output.Forward(h);
            TensorAssert.Close(y, result.Output.Select(0, t), 1e-6, $"step {t}");
        }
        TensorAssert.Close(y, result.Hidden.Squeeze(0), 1e-6);
        AssertGradientsMatch(() => jordan.Forward(x, null, null, [3, 2]).Output, [x, .. jordan.Parameters()]);
    }

    [Fact]
    public void Stateful_layer_carries_state_across_calls_and_truncates_the_graph()
    {
        var r = new RandomGenerator(9);
        var lstm = new Lstm(2, 3, random: r);
        var x = Tensor.RandomNormal(r, 0, 1, 8, 2, 2);
        var whole = lstm.Forward(x).Output;
        lstm.Stateful = true;
        var first = lstm.Forward(x.Slice(0, 0, 4)).Output;
        var second = lstm.Forward(x.Slice(0, 4, 4).Detach().WithGrad());
        TensorAssert.Close(whole.Slice(0, 0, 4), first, 1e-6);
        TensorAssert.Close(whole.Slice(0, 4, 4), second.Output, 1e-6);
        // Truncated BPTT: the second chunk's loss reaches the weights but not the first chunk's input.
        var firstInput = x.Slice(0, 0, 4).Detach().WithGrad();
        lstm.ResetState();
        lstm.Forward(firstInput);
        lstm.Forward(x.Slice(0, 4, 4)).Output.Sum().Backward();
        Assert.Null(firstInput.Grad);
        Assert.NotNull(lstm.StateDict()["weight_hh_l0"].Grad);
    }

    [Fact]
    public void Layers_reject_inputs_with_the_wrong_shape_with_a_clear_message()
    {
        var lstm = new Lstm(4, 3, numLayers: 2);
        var e = Assert.Throws<TensorShapeException>(() => lstm.Forward(Tensor.Zeros(5, 2, 3)));
        Assert.Contains("inputSize 4", e.Message);
        var h = Assert.Throws<TensorShapeException>(() => lstm.Forward(Tensor.Zeros(5, 2, 4), Tensor.Zeros(1, 2, 3)));
        Assert.Contains("h0", h.Message);
        Assert.Contains("(2, 2, 3)", h.Message);
        Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros(5, 2, 4), null, null, [5, 6]));
        Assert.Throws<ArgumentException>(() => new Gru(4, 3).Forward(Tensor.Zeros(5, 2, 4), null, Tensor.Zeros(1, 2, 3)));
    }

    [Fact]
    public void Dropout_between_layers_acts_only_in_training()
    {
        var r = new RandomGenerator(10);
        var lstm = new Lstm(3, 8, numLayers: 2, dropout: 0.5f, random: r);
        var x = Tensor.RandomNormal(r, 0, 1, 5, 2, 3);
        var a = lstm.Forward(x).Output.ToArray();
        var b = lstm.Forward(x).Output.ToArray();
        Assert.NotEqual(a, b);
        lstm.Eval();
        Assert.Equal(lstm.Forward(x).Output.ToArray(), lstm.Forward(x).Output.ToArray());
    }
}
