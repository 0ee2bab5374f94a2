using RecurrentSharp.Training;
using RecurrentSharp.Data;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>
/// The long-term dependency problem, shown on the adding problem with T = 50: with the same budget of
/// training steps an LSTM gets far below the 0.167 of always answering 1, a plain tanh RNN does not.
/// </summary>
public class LongTermDependencyTests
{
    private const int Steps = 50, Batch = 64, Hidden = 32, TrainingSteps = 1000;

    private static float Train(RecurrentLayer layer)
    {
        var r = new RandomGenerator(11);
        var head = new Linear(Hidden, 1, random: r);
        var parameters = layer.Parameters().Concat(head.Parameters()).ToArray();
        var adam = new Adam(parameters, lr: 0.01);
        for (int step = 0; step < TrainingSteps; step++)
        {
            var (x, y) = AddingProblem.Batch(r, Batch, Steps);
            var prediction = head.Forward(layer.Forward(x).Hidden.Squeeze(0));
            var loss = (prediction - y).Square().Mean();
            foreach (var p in parameters) p.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        // Evaluate on fresh sequences.
        var (xt, yt) = AddingProblem.Batch(new RandomGenerator(99), 1000, Steps);
        var test = head.Forward(layer.Forward(xt).Hidden.Squeeze(0));
        return (test - yt).Square().Mean().Item();
    }

    [Fact]
    public void Lstm_solves_the_adding_problem_where_a_tanh_rnn_with_the_same_budget_does_not()
    {
        float lstm = Train(new Lstm(2, Hidden, random: new RandomGenerator(1)));
        float rnn = Train(new Rnn(2, Hidden, random: new RandomGenerator(1)));
        Assert.True(lstm < 0.05f, $"LSTM test MSE {lstm:F4} (baseline {AddingProblem.BaselineMse:F3})");
        Assert.True(rnn > 0.1f, $"tanh RNN test MSE {rnn:F4} unexpectedly low (baseline {AddingProblem.BaselineMse:F3})");
    }

    [Fact]
    public void Constant_answer_one_scores_the_baseline()
    {
        var (_, y) = AddingProblem.Batch(new RandomGenerator(5), 20000, Steps);
        float mse = (y - 1f).Square().Mean().Item();
        Assert.InRange(mse, 0.16f, 0.173f);
    }
}

/// <summary>The gradient probe measures ∂loss/∂h_t and shows it fading in a tanh RNN.</summary>
public class HiddenGradientProbeTests
{
    [Fact]
    public void Probe_agrees_with_the_gradient_of_the_fused_layer_at_the_last_step()
    {
        var r = new RandomGenerator(3);
        var gru = new Gru(2, 5, random: r);
        var (x, y) = AddingProblem.Batch(r, 4, 6);
        var head = new Linear(5, 1, random: r);
        var norms = HiddenGradientProbe.Measure(gru, x, h => (head.Forward(h) - y).Square().Mean());
        Assert.Equal(6, norms.Length);
        // At t = T the gradient is ∂loss/∂h_T of the head alone.
        var hT = gru.Forward(x).Hidden.Squeeze(0).Detach().WithGrad();
        (head.Forward(hT) - y).Square().Mean().Backward();
        double expected = Math.Sqrt(hT.Grad!.ToArray().Sum(v => (double)v * v));
        Assert.Equal(expected, norms[^1], 1e-5);
        Assert.All(norms, n => Assert.True(n > 0));
    }

    [Fact]
    public void Tanh_rnn_gradient_fades_going_back_in_time_while_lstm_keeps_more()
    {
        var (x, y) = AddingProblem.Batch(new RandomGenerator(4), 32, 50);
        double Ratio(RecurrentLayer layer)
        {
            var head = new Linear(32, 1, random: new RandomGenerator(5));
            var n = HiddenGradientProbe.Measure(layer, x, h => (head.Forward(h) - y).Square().Mean());
            return n[0] / n[^1];
        }
        double rnn = Ratio(new Rnn(2, 32, random: new RandomGenerator(6)));
        double lstm = Ratio(new Lstm(2, 32, random: new RandomGenerator(6)));
        Assert.True(rnn < 1e-3, $"tanh RNN: ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ = {rnn:G3}");
        Assert.True(lstm > 100 * rnn, $"LSTM ratio {lstm:G3} vs RNN {rnn:G3}");
    }
}
