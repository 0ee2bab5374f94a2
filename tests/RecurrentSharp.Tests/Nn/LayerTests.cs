using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Nn;

public class LayerTests
{
    [Fact]
    public void Linear_computes_x_times_W_transposed_plus_b_and_its_gradients()
    {
        var r = new RandomGenerator(1);
        var layer = new Linear(4, 3, random: r);
        var x = Input(r, 2, 5, 4);
        var y = layer.Forward(x);
        Assert.Equal(new[] { 2, 5, 3 }, y.GetShape());
        float expected = layer.Bias!.Data[2];
        for (int i = 0; i < 4; i++) expected += x[1, 2, i] * layer.Weight[2, i];
        Assert.Equal(expected, y[1, 2, 2], 5);
        AssertGradientsMatch(() => layer.Forward(x), [x, layer.Weight, layer.Bias]);
    }

    [Fact]
    public void Embedding_padding_row_gets_no_gradient()
    {
        var e = new Embedding(5, 3, paddingIndex: 0, random: new RandomGenerator(2));
        Assert.All(e.Weight.Data[..3].ToArray(), v => Assert.Equal(0f, v));
        var y = e.Forward([0, 2, 0, 4], 2, 2);
        Assert.Equal(new[] { 2, 2, 3 }, y.GetShape());
        y.Sum().Backward();
        Assert.All(e.Weight.Grad!.Data[..3].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(e.Weight.Grad!.Data.Slice(6, 3).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Module_names_parameters_like_pytorch_and_loads_state_strictly()
    {
        var model = new Sequential(new Linear(3, 4), Activation.Tanh(), new Linear(4, 2));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, model.NamedParameters().Select(p => p.Key));
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, model.ParameterCount);
        var other = new Sequential(new Linear(3, 4), Activation.Tanh(), new Linear(4, 2));
        other.LoadStateDict(model.StateDict());
        Assert.Equal(model.StateDict()["2.weight"].ToArray(), other.StateDict()["2.weight"].ToArray());

        var bad = model.StateDict().ToDictionary(p => p.Key, p => p.Value);
        bad["0.weight"] = Tensor.Zeros(4, 4);
        bad.Remove("2.bias");
        var ex = Assert.Throws<ModelFormatException>(() => other.LoadStateDict(bad));
        Assert.Contains("0.weight", ex.Message);
        Assert.Contains("2.bias", ex.Message);
    }

    [Fact]
    public void Time_distributed_applies_the_same_layer_at_every_step()
    {
        var r = new RandomGenerator(4);
        var inner = new Linear(3, 2, random: r);
        var td = new TimeDistributed(inner);
        var x = Input(r, 2, 4, 3);
        var y = td.Forward(x);
        Assert.Equal(new[] { 2, 4, 2 }, y.GetShape());
        var step = inner.Forward(x.Select(1, 3));
        TensorAssert.Close(step, y.Select(1, 3), 1e-6);
        Assert.Equal(new[] { "module.weight", "module.bias" }, td.NamedParameters().Select(p => p.Key));
        AssertGradientsMatch(() => td.Forward(x), [x, inner.Weight]);
    }

    [Fact]
    public void Dropout_layer_is_the_identity_in_evaluation_mode()
    {
        var d = new Dropout(0.5f, new RandomGenerator(1));
        var x = Tensor.Ones(100);
        Assert.Contains(0f, d.Forward(x).ToArray());
        d.Eval();
        Assert.Equal(x.ToArray(), d.Forward(x).ToArray());
    }

    [Fact]
    public void Conv_and_pool_layers_produce_pytorch_shapes()
    {
        var r = new RandomGenerator(5);
        var net = new Sequential(new Conv2d(1, 4, 3, padding: 1, random: r), Activation.Relu(), new MaxPool2d(2));
        var y = net.Forward(Tensor.RandomNormal(r, 0, 1, 2, 1, 28, 28));
        Assert.Equal(new[] { 2, 4, 14, 14 }, y.GetShape());
    }
}
