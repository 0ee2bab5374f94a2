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
        var adam = new TestAdam(parameters, 0.01f);
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
