using RecurrentSharp.Data;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>The whole kit together: an LSTM classifier learns a small task; clipping rescues an exploding setup.</summary>
public class EndToEndTrainingTests
{
    /// <summary>Label 1 when the first step's value is positive: the class must be remembered over 12 steps of noise.</summary>
    private static (Tensor X, int[] Labels) FirstSign(RandomGenerator r, int count)
    {
        var x = Tensor.RandomNormal(r, 0, 1, count, 12, 1);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = x[i, 0, 0] > 0 ? 1 : 0;
        return (x, labels);
    }

    [Fact]
    public void Lstm_classifier_trained_with_the_trainer_reaches_97_percent_on_a_memory_task()
    {
        var random = new RandomGenerator(3);
        var (x, labels) = FirstSign(random, 512);
        var (testX, testLabels) = FirstSign(new RandomGenerator(4), 512);
        var model = new SequenceClassifier(new SequenceClassifierConfig(Classes: 2, HiddenSize: 16, Cell: "lstm", InputSize: 1), random);
        int[] lengths12(int n) => Enumerable.Repeat(12, n).ToArray();
        var trainer = new Trainer<int[]>(model, new Adam(model.Parameters(), lr: 0.01), random, batch =>
            new(Losses.CrossEntropy(model.Forward(x.IndexSelect(0, batch), lengths12(batch.Length)), batch.Select(i => labels[i]).ToArray()), batch.Length),
            // 30 epochs: at 15, 7 of 20 seeds tried ended under 97% and the outcome hung on float rounding (adding the bias
            // after the recurrent product instead of before moved this seed from 98.4% to 93.4%); at 30 all 20 reached 97.3% or more.
            new TrainerOptions { Epochs = 30, ClipNorm = 1.0 });
        var history = trainer.Fit(r => BatchOrder.Shuffled(512, 32, r));
        model.Eval();
        var predicted = model.Forward(testX, lengths12(512)).ArgMaxRows();
        double accuracy = predicted.Zip(testLabels).Count(p => p.First == p.Second) / 512.0;
        Assert.Equal(StopReason.Completed, history.StopReason);
        Assert.True(accuracy >= 0.97, $"test accuracy {accuracy:P1}");
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss / 4);
    }

    /// <summary>A linear Elman RNN read by a linear layer.</summary>
    private sealed class Regressor : Module
    {
        public Regressor(RandomGenerator random)
        {
            Rnn = RegisterModule("rnn", new Rnn(1, 16, nonlinearity: Nonlinearity.Identity, random: random));
            Head = RegisterModule("head", new Linear(16, 1, random: random));
        }

        public Rnn Rnn { get; }
        public Linear Head { get; }
    }

    /// <summary>A linear recurrence whose matrix has spectral radius 1.3, over 30 steps: the gradients explode.</summary>
    private static TrainingHistory Exploding(double? clipNorm)
    {
        var random = new RandomGenerator(8);
        var model = new Regressor(random);
        Init.Orthogonal(model.Rnn.StateDict()["weight_hh_l0"], random, gain: 1.3f);
        var x = Tensor.RandomNormal(random, 0, 1, 30, 8, 1);
        var y = Tensor.RandomNormal(random, 0, 1, 8, 1);
        var trainer = new Trainer<int>(model, new Sgd(model.Parameters(), lr: 0.05), random,
            _ => new(Losses.MeanSquaredError(model.Head.Forward(model.Rnn.Forward(x).Hidden.Squeeze(0)), y), 8),
            new TrainerOptions { Epochs = 20, ClipNorm = clipNorm });
        return trainer.Fit(_ => [0, 1, 2, 3, 4]);
    }

    [Fact]
    public void Gradient_clipping_survives_an_exploding_gradient_setup_that_diverges_without_it()
    {
        var unclipped = Exploding(clipNorm: null);
        Assert.Equal(StopReason.Diverged, unclipped.StopReason);
        Assert.Contains("step", unclipped.Message);

        var clipped = Exploding(clipNorm: 1.0);
        Assert.True(clipped.StopReason == StopReason.Completed, clipped.Message + " " + string.Join(",", clipped.Epochs.Select(e => e.TrainLoss)));
        Assert.All(clipped.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
    }
}
