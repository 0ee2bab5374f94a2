using RecurrentSharp.Data;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tasks.Demos;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>
/// The vanishing demo: the plain RNN's per-step norms equal a back-propagation written out in double
/// (δ_T = 2 (ŷ − y) w_head, δ_{t-1} = W_hhᵀ (δ_t ⊙ (1 − h_t²))), and the LSTM's fade far less.
/// </summary>
public class VanishingDemoTests
{
    [Fact]
    public void The_rnn_norms_match_a_plain_double_backpropagation()
    {
        const int seed = 1, steps = VanishingDemo.Steps, hidden = VanishingDemo.HiddenSize;
        var result = VanishingDemo.Run(seed);
        // The same layer, head and sequence as the demo (its documented seeds).
        var state = new Rnn(2, hidden, random: new RandomGenerator(seed)).StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var head = new Linear(hidden, 1, random: new RandomGenerator(seed + 1));
        var (x, target) = AddingProblem.Batch(new RandomGenerator(seed + 2000), 1, steps);
        float[] wih = state["weight_ih_l0"], whh = state["weight_hh_l0"], bih = state["bias_ih_l0"], bhh = state["bias_hh_l0"];
        var xs = x.ToArray();
        var h = new double[steps + 1][];
        h[0] = new double[hidden];
        for (int t = 1; t <= steps; t++)
        {
            h[t] = new double[hidden];
            for (int i = 0; i < hidden; i++)
            {
                double a = bih[i] + bhh[i] + wih[i * 2] * (double)xs[(t - 1) * 2] + wih[i * 2 + 1] * (double)xs[(t - 1) * 2 + 1];
                for (int j = 0; j < hidden; j++) a += whh[i * hidden + j] * h[t - 1][j];
                h[t][i] = Math.Tanh(a);
            }
        }
        var wHead = head.Weight.ToArray();
        double yHat = head.Bias!.Item();
        for (int i = 0; i < hidden; i++) yHat += wHead[i] * h[steps][i];
        var delta = wHead.Select(w => 2 * (yHat - target.Item()) * w).ToArray();
        for (int t = steps; t >= 1; t--)
        {
            double norm = Math.Sqrt(delta.Sum(d => d * d));
            Assert.True(Math.Abs(norm - result.Rnn[t - 1]) <= 1e-3 * norm, $"t = {t}: demo {result.Rnn[t - 1]}, double {norm}");
            var next = new double[hidden];
            for (int j = 0; j < hidden; j++)
                for (int i = 0; i < hidden; i++) next[j] += whh[i * hidden + j] * delta[i] * (1 - h[t][i] * h[t][i]);
            delta = next;
        }
    }

    [Fact]
    public void The_lstm_keeps_far_more_of_its_gradient_than_the_rnn()
    {
        var result = VanishingDemo.Run();
        Assert.Equal(VanishingDemo.Steps, result.Rnn.Length);
        Assert.Equal(VanishingDemo.Steps, result.Lstm.Length);
        double rnn = result.Rnn[0] / result.Rnn[^1], lstm = result.Lstm[0] / result.Lstm[^1];
        Assert.True(rnn < 1e-6, $"rnn ratio {rnn}");
        Assert.True(lstm > 1e3 * rnn, $"lstm ratio {lstm} vs rnn {rnn}");
        Assert.Equal([50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 1], result.ShownSteps());
    }
}
