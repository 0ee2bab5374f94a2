using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Models;

public class CharLanguageModelTests
{
    private static CharLanguageModel Small(int seed = 3) => new(new CharLanguageModelConfig(Vocabulary: 6, EmbeddingSize: 4, HiddenSize: 8), new RandomGenerator(seed));

    [Fact]
    public void Windows_fed_one_after_another_give_the_logits_of_the_whole_sequence()
    {
        var model = Small();
        int[] ids = [2, 3, 4, 5, 2, 3, 4, 5];   // time-major (4 steps, 2 streams)
        var whole = model.Forward(ids, 4, 2);
        Assert.Equal([8, 6], whole.GetShape());
        model.ResetState();
        var first = model.Forward(ids.AsSpan(0, 4), 2, 2);
        var second = model.Forward(ids.AsSpan(4, 4), 2, 2);
        TensorAssert.Close(whole.Slice(0, 0, 4), first, 1e-6);
        TensorAssert.Close(whole.Slice(0, 4, 4), second, 1e-6);
    }

    [Fact]
    public void Sampling_is_seeded_skips_forbidden_ids_and_is_greedy_at_low_temperature()
    {
        var model = Small();
        var a = model.Sample([2, 3], 50, 1.0, new RandomGenerator(7), forbidden: [0, 1]);
        var b = model.Sample([2, 3], 50, 1.0, new RandomGenerator(7), forbidden: [0, 1]);
        Assert.Equal(a, b);
        Assert.Equal(50, a.Length);
        Assert.All(a, id => Assert.InRange(id, 2, 5));

        // τ → 0: every draw is the argmax of the logits, whatever the seed.
        var cold1 = model.Sample([2], 10, 1e-4, new RandomGenerator(1));
        var cold2 = model.Sample([2], 10, 1e-4, new RandomGenerator(2));
        Assert.Equal(cold1, cold2);
        model.ResetState();
        var logits = model.Forward([2], 1, 1).ToArray();
        Assert.Equal(Array.IndexOf(logits, logits.Max()), cold1[0]);
    }

    [Fact]
    public void Learns_a_periodic_text_by_truncated_bptt()
    {
        var model = Small(5);
        var stream = Enumerable.Range(0, 400).Select(i => 2 + i % 4).ToArray();
        var batches = new RecurrentSharp.Data.TruncatedBpttBatches(stream, 4, 10);
        var optimizer = new Adam(model.Parameters(), 0.02);
        double loss = double.NaN;
        for (int epoch = 0; epoch < 8; epoch++)
        {
            model.ResetState();
            for (int w = 0; w < batches.WindowCount; w++)
            {
                var window = batches.Window(w);
                optimizer.ZeroGrad();
                var l = Losses.CrossEntropy(model.Forward(window.Inputs, window.Length, window.BatchSize), window.Targets);
                l.Backward();
                optimizer.Step();
                loss = l.Item();
            }
        }
        Assert.True(loss < 0.1, $"loss {loss}");   // ln 4 = 1.39 when guessing among the four characters
    }
}
