using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Models;

public class SequenceRegressorTests
{
    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("jordan")]
    public void Maps_a_batch_of_windows_to_horizon_outputs(string cell)
    {
        var model = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 3, HiddenSize: 5, Cell: cell), new RandomGenerator(1));
        var y = model.Forward(Tensor.RandomNormal(new RandomGenerator(2), 0, 1, 4, 7, 1));
        Assert.Equal([4, 3], y.GetShape());
        Assert.Throws<TensorShapeException>(() => model.Forward(Tensor.Zeros(4, 7)));
    }

    [Fact]
    public void Learns_to_continue_a_sine_wave()
    {
        var random = new RandomGenerator(3);
        var model = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 1, HiddenSize: 16), random);
        // Windows of 12 samples of sin(0.5 t + φ); the target is the next sample.
        int batch = 32, steps = 12;
        var x = new float[batch * steps];
        var target = new float[batch];
        for (int b = 0; b < batch; b++)
        {
            double phase = random.NextDouble() * 2 * Math.PI;
            for (int t = 0; t < steps; t++) x[b * steps + t] = (float)Math.Sin(0.5 * t + phase);
            target[b] = (float)Math.Sin(0.5 * steps + phase);
        }
        var inputs = Tensor.Wrap(x, batch, steps, 1);
        var targets = Tensor.Wrap(target, batch, 1);
        var optimizer = new Adam(model.Parameters(), 0.02);
        double first = double.NaN, loss = double.NaN;
        for (int step = 0; step < 150; step++)
        {
            optimizer.ZeroGrad();
            var l = Losses.MeanSquaredError(model.Forward(inputs), targets);
            l.Backward();
            optimizer.Step();
            loss = l.Item();
            if (step == 0) first = loss;
        }
        Assert.True(loss < 0.01 && loss < first / 20, $"MSE {first} → {loss}");
    }
}
