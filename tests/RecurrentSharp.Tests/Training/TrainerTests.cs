using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>The training loop: exact resume from checkpoints, divergence handling, early stopping.</summary>
public class TrainerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("rnn-trainer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A small GRU regressor with dropout whose every random draw comes from one generator.</summary>
    private sealed class Model : Module
    {
        public Model(RandomGenerator random)
        {
            Rnn = RegisterModule("rnn", new Gru(2, 6, numLayers: 2, dropout: 0.3f, random: random));
            Head = RegisterModule("head", new Linear(6, 1, random: random));
        }

        public Gru Rnn { get; }
        public Linear Head { get; }

        public Tensor Forward(Tensor x) => Head.Forward(Rnn.Forward(x).Output.Select(0, -1 + x.Size(0)));
    }

    private sealed record Setup(Model Model, Adam Optimizer, RandomGenerator Random, Trainer<int[]> Trainer);

    private static readonly (Tensor X, Tensor Y) Data = MakeData();

    private static (Tensor, Tensor) MakeData()
    {
        var r = new RandomGenerator(77);
        var x = Tensor.RandomNormal(r, 0, 1, 5, 40, 2);
        var y = x.Sum(0).Sum(1, keepDim: true);   // (40, 1): the sum of all inputs
        return (x, y);
    }

    private static Setup Create(TrainerOptions options)
    {
        var random = new RandomGenerator(5);
        var model = new Model(random);
        var adam = new Adam(model.Parameters(), lr: 0.01);
        var trainer = new Trainer<int[]>(model, adam, random, batch =>
        {
            var x = Data.X.IndexSelect(1, batch);
            var y = Data.Y.IndexSelect(0, batch);
            return new((model.Forward(x) - y).Square().Mean(), batch.Length);
        }, options);
        return new Setup(model, adam, random, trainer);
    }

    private static IReadOnlyList<int[]> Batches(RandomGenerator r) => r.Permutation(40).Chunk(8).ToArray();

    [Fact]
    public void Resuming_from_a_mid_epoch_checkpoint_gives_exactly_the_uninterrupted_run()
    {
        var straight = Create(new TrainerOptions { Epochs = 3 });
        var full = straight.Trainer.Fit(Batches);

        string path = Path.Combine(folder, "run.ckpt");
        var first = Create(new TrainerOptions { Epochs = 3, CheckpointPath = path, CheckpointEverySteps = 1 });
        using var cancel = new CancellationTokenSource();
        var stopAfterSeven = new SynchronousProgress(p => { if (first.Trainer.GlobalStep == 7) cancel.Cancel(); });
        Assert.Equal(StopReason.Cancelled, first.Trainer.Fit(Batches, null, stopAfterSeven, cancel.Token).StopReason);

        var second = Create(new TrainerOptions { Epochs = 3, CheckpointPath = path });
        second.Trainer.LoadCheckpoint(path);
        Assert.Equal(7, second.Trainer.GlobalStep);
        var resumed = second.Trainer.Fit(Batches);

        Assert.Equal(StopReason.Completed, resumed.StopReason);
        Assert.Equal(full.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        foreach (var (a, b) in straight.Model.Parameters().Zip(second.Model.Parameters()))
            Assert.Equal(a.ToArray(), b.ToArray());
        Assert.Equal(straight.Random.GetState(), second.Random.GetState());
    }

    [Fact]
    public void A_nan_loss_stops_the_run_naming_epoch_and_step_and_keeps_the_last_good_state()
    {
        string path = Path.Combine(folder, "nan.ckpt");
        var random = new RandomGenerator(1);
        var layer = new Linear(2, 1, random: random);
        var sgd = new Sgd(layer.Parameters(), lr: 0.1);
        int calls = 0;
        float[]? before = null;
        var trainer = new Trainer<int>(layer, sgd, random, _ =>
        {
            calls++;
            if (calls == 7) before = layer.Weight.ToArray();
            var y = layer.Forward(Tensor.Ones(1, 2)).Sum();
            return new(calls == 7 ? y * float.NaN : y, 1);
        }, new TrainerOptions { Epochs = 5, CheckpointPath = path });
        var history = trainer.Fit(_ => [0, 1, 2, 3]);
        Assert.Equal(StopReason.Diverged, history.StopReason);
        Assert.Contains("epoch 2, step 7", history.Message);
        Assert.Equal(before, layer.Weight.ToArray());
        Assert.Single(history.Epochs);                            // epoch 1 completed and checkpointed
        var restored = new Trainer<int>(layer, sgd, random, _ => throw new InvalidOperationException(), new TrainerOptions());
        restored.LoadCheckpoint(path);
        Assert.Equal(4, restored.GlobalStep);
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch()
    {
        var layer = new Linear(1, 1, random: new RandomGenerator(2));
        var sgd = new Sgd(layer.Parameters(), lr: 0.1);
        double[] scores = [0.5, 0.9, 0.8, 0.7, 0.95];
        float[]? bestWeight = null;
        int epoch = 0;
        var trainer = new Trainer<int>(layer, sgd, new RandomGenerator(3),
            _ => new(layer.Forward(Tensor.Ones(1, 1)).Sum(), 1),
            new TrainerOptions { Epochs = 5, Monitor = new MetricMonitor("accuracy", Maximize: true, Patience: 2) });
        var history = trainer.Fit(_ => [0], () =>
        {
            if (epoch == 1) bestWeight = layer.Weight.ToArray();
            return new Dictionary<string, double> { ["accuracy"] = scores[epoch++] };
        });
        Assert.Equal(StopReason.EarlyStopped, history.StopReason);
        Assert.Equal(4, history.Epochs.Count);
        Assert.Equal(2, history.BestEpoch);
        Assert.Equal(0.9, history.BestValue);
        Assert.Equal(bestWeight, layer.Weight.ToArray());
    }

    [Fact]
    public void A_checkpoint_from_another_file_kind_is_rejected_with_a_message()
    {
        string path = Path.Combine(folder, "model.safetensors");
        var layer = new Linear(2, 2);
        RecurrentSharp.Nn.StateDictFile.Save(path, layer);
        var trainer = new Trainer<int>(layer, new Sgd(layer.Parameters(), lr: 0.1), new RandomGenerator(1), _ => throw new InvalidOperationException());
        var e = Assert.Throws<ModelFormatException>(() => trainer.LoadCheckpoint(path));
        Assert.Contains("not a training checkpoint", e.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
