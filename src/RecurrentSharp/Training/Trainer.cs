using System.Diagnostics;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Training;

/// <summary>Which validation metric to watch, which way is better, and when to stop early.</summary>
/// <param name="Metric">The key in the validation metrics (e.g. "accuracy", "loss").</param>
/// <param name="Maximize">True when larger is better.</param>
/// <param name="Patience">Stop after this many epochs without improvement (int.MaxValue: never stop early).</param>
/// <param name="MinDelta">The smallest change that counts as an improvement.</param>
public sealed record MetricMonitor(string Metric, bool Maximize, int Patience = int.MaxValue, double MinDelta = 0)
{
    /// <summary>True when <paramref name="value"/> beats <paramref name="best"/> by more than <see cref="MinDelta"/> (any finite value beats NaN).</summary>
    public bool Improves(double value, double best) =>
        double.IsNaN(best) ? !double.IsNaN(value) : Maximize ? value > best + MinDelta : value < best - MinDelta;
}

/// <summary>Settings of a <see cref="Trainer{TBatch}"/> run.</summary>
public sealed class TrainerOptions
{
    /// <summary>The number of epochs to train (in total, counting epochs before a resume).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Clip the global L2 norm of the gradients to this value (PyTorch's clip_grad_norm_), or null.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Clip every gradient element to [-v, v], or null.</summary>
    public double? ClipValue { get; init; }

    /// <summary>The validation metric to watch for the best epoch and early stopping, or null.</summary>
    public MetricMonitor? Monitor { get; init; }

    /// <summary>At the end, put back the parameters of the best epoch (needs <see cref="Monitor"/>).</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>A schedule stepped once per epoch, or null.</summary>
    public LearningRateScheduler? Scheduler { get; init; }

    /// <summary>Reduce-on-plateau, stepped with the monitored metric after each validation, or null.</summary>
    public ReduceLROnPlateau? Plateau { get; init; }

    /// <summary>Where to keep the latest checkpoint (written atomically each epoch), or null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Also write the checkpoint every this many optimizer steps (0: only at epoch ends).</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Extra metadata stored in every checkpoint (e.g. the task and model configuration).</summary>
    public IReadOnlyDictionary<string, string>? CheckpointMetadata { get; init; }

    /// <summary>
    /// Train data-parallel across the ranks of an MPI job, or null for one process. Each rank then takes its
    /// share of every batch (<see cref="Trainer{TBatch}.Shard"/>), the gradients are averaged over the ranks
    /// before clipping and the optimizer step, only rank 0 reports progress and writes checkpoints, and rank 0's
    /// validation metrics decide for all.
    /// </summary>
    public DataParallel? DataParallel { get; init; }
}

/// <summary>
/// The training loop: epochs over batches, each batch forward → loss → backward → clipping → optimizer
/// step; validation after each epoch; the best epoch, early stopping, learning-rate schedules; progress
/// through <see cref="IProgress{T}"/>; and checkpoints from which a run resumes to exactly the same numbers.
/// </summary>
/// <remarks>
/// <para>All randomness of a run (batch order, dropout) must come from the one <see cref="RandomGenerator"/>
/// given here — pass the same generator to the model's dropout layers — so that its saved state makes a
/// resumed run identical to an uninterrupted one.</para>
/// <para>A NaN or infinite loss or gradient stops the run before the optimizer step, so the parameters stay
/// those of the last good step; the history's message names the epoch and step, and the checkpoint on disk
/// is the last one written before it.</para>
/// </remarks>
/// <typeparam name="TBatch">What one batch is: usually a small description (example indices) that the loss function turns into tensors.</typeparam>
public sealed class Trainer<TBatch>
{
    private readonly Module model;
    private readonly Optimizer optimizer;
    private readonly RandomGenerator random;
    private readonly Func<TBatch, BatchLoss> lossFunction;
    private readonly TrainerOptions options;
    private ulong[]? epochStartState;     // the generator before this epoch's batch order was drawn
    private int batchesDone;               // batches of the current (unfinished) epoch already trained
    private double lossSum;                // Σ loss·examples over those batches
    private long examples;                 // examples in those batches
    private float[][]? bestWeights;

    /// <summary>The loss of one batch and how many examples it holds (for the epoch mean and throughput).</summary>
    public readonly record struct BatchLoss(Tensor Loss, int Examples);

    /// <summary>Creates the trainer; <paramref name="loss"/> runs the model on a batch and returns a scalar loss.</summary>
    public Trainer(Module model, Optimizer optimizer, RandomGenerator random, Func<TBatch, BatchLoss> loss, TrainerOptions? options = null)
    {
        this.model = model;
        this.optimizer = optimizer;
        this.random = random;
        lossFunction = loss;
        this.options = options ?? new TrainerOptions();
        if (this.options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), "Epochs must be >= 0.");
    }

    /// <summary>
    /// With <see cref="TrainerOptions.DataParallel"/>: this rank's share of a global batch. Null takes, for a
    /// batch that is an array (of example indices), the contiguous share of <see cref="DataParallel.ShareOf"/>;
    /// any other kind of batch must say how it is shared. Every rank must get a different part of the same
    /// batch and the parts must make up the batch.
    /// </summary>
    public Func<TBatch, TBatch>? Shard { get; init; }

    /// <summary>The history so far (restored from a checkpoint on resume).</summary>
    public TrainingHistory History { get; private set; } = new();

    /// <summary>Completed epochs.</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>Optimizer steps taken.</summary>
    public long GlobalStep { get; private set; }

    /// <summary>
    /// Trains until <see cref="TrainerOptions.Epochs"/> epochs are complete, early stopping, divergence or
    /// cancellation. <paramref name="epochBatches"/> draws an epoch's batches (its shuffling must use the
    /// generator it is given); <paramref name="validate"/> computes validation metrics with the model in
    /// evaluation mode.
    /// </summary>
    public TrainingHistory Fit(Func<RandomGenerator, IReadOnlyList<TBatch>> epochBatches, Func<IReadOnlyDictionary<string, double>>? validate = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var parameters = model.Parameters().ToArray();
        var monitor = options.Monitor;
        var parallel = options.DataParallel;
        if (parallel is not null)
        {
            // The ranks start from rank 0's weights (a resumed run: from the checkpoint every rank read).
            parallel.BroadcastParameters(parameters, GlobalStep);
            if (!parallel.IsRoot) progress = null;
        }
        // Resumed from the checkpoint of the epoch that ran out of patience: that run stopped there, so this one does too.
        if (monitor is not null && batchesDone == 0 && CompletedEpochs > 0 && History.BestEpoch > 0 && CompletedEpochs - History.BestEpoch >= monitor.Patience)
            return Stop(StopReason.EarlyStopped, $"No improvement of {monitor.Metric} for {monitor.Patience} epochs after epoch {History.BestEpoch}.");
        for (int epoch = CompletedEpochs + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyList<TBatch> batches;
            if (batchesDone > 0 && epochStartState is not null)
            {
                // Resuming inside an epoch: draw the same batch order again, then continue from the saved generator state.
                var resumeState = random.GetState();
                random.SetState(epochStartState);
                batches = epochBatches(random);
                random.SetState(resumeState);
            }
            else
            {
                epochStartState = random.GetState();
                batches = epochBatches(random);
                batchesDone = 0;
                lossSum = 0;
                examples = 0;
            }
            model.Train();
            progress?.Report(new TrainingProgress(ProgressKind.EpochStart, epoch, options.Epochs, 0, batches.Count, 0, optimizer.LearningRate, 0));
            for (int b = batchesDone; b < batches.Count; b++)
            {
                if (parallel is null && cancellation.IsCancellationRequested)
                    return Stop(StopReason.Cancelled, $"Cancelled in epoch {epoch} at batch {b + 1} of {batches.Count}.");
                optimizer.ZeroGrad();
                double value;
                int count;
                bool cancelled = false;
                if (parallel is null)
                {
                    var (loss, examples) = lossFunction(batches[b]);
                    value = loss.Item();
                    count = examples;
                    if (!double.IsFinite(value))
                        return Diverged($"The loss became {Describe(value)} in epoch {epoch}, step {GlobalStep + 1} (batch {b + 1} of {batches.Count})");
                    loss.Backward();
                }
                else
                {
                    parallel.BeginStep();
                    var share = ShareOf(batches[b], parallel);
                    var saved = parallel.BeginRandomStep(random);
                    Tensor? loss = null;
                    int mine = 0;
                    if (share is not Array { Length: 0 }) (loss, mine) = lossFunction(share);
                    var totals = parallel.ReduceLoss(loss?.Item() ?? 0, mine, parallel.DrewRandom(random, saved), cancellation.IsCancellationRequested, GlobalStep);
                    value = totals.Loss;
                    count = (int)totals.Examples;
                    cancelled = totals.Cancelled;
                    if (!double.IsFinite(value))
                    {
                        parallel.EndRandomStep(random, saved, totals.DrewRandom);
                        return Diverged($"The loss became {Describe(value)} in epoch {epoch}, step {GlobalStep + 1} (batch {b + 1} of {batches.Count})");
                    }
                    loss?.Backward();
                    parallel.AverageGradients(parameters, mine, totals.Examples, GlobalStep);
                    parallel.EndRandomStep(random, saved, totals.DrewRandom);
                }
                double norm = options.ClipNorm is { } maxNorm
                    ? GradientClipping.ClipGradNorm(parameters, maxNorm)
                    : GlobalGradientNorm(parameters);
                if (!double.IsFinite(norm))
                    return Diverged($"The gradient norm became {Describe(norm)} in epoch {epoch}, step {GlobalStep + 1} (batch {b + 1} of {batches.Count})");
                if (options.ClipValue is { } clip) GradientClipping.ClipGradValue(parameters, clip);
                optimizer.Step();
                parallel?.EndStep();
                GlobalStep++;
                batchesDone = b + 1;
                lossSum += value * count;
                examples += count;
                progress?.Report(new TrainingProgress(ProgressKind.Batch, epoch, options.Epochs, b + 1, batches.Count, lossSum / Math.Max(1, examples),
                    optimizer.LearningRate, examples / Math.Max(1e-9, clock.Elapsed.TotalSeconds)));
                if (options.CheckpointEverySteps > 0 && GlobalStep % options.CheckpointEverySteps == 0 && options.CheckpointPath is { } path)
                    WriteCheckpoint(path);
                // A rank asked to stop (SIGINT/SIGTERM) stops every rank after the same step.
                if (cancelled)
                    return Stop(StopReason.Cancelled, $"Cancelled in epoch {epoch} after batch {b + 1} of {batches.Count}.");
            }

            double learningRate = optimizer.LearningRate;
            options.Scheduler?.Step();
            model.Eval();
            var metrics = validate?.Invoke() ?? new Dictionary<string, double>();
            if (parallel is not null) metrics = parallel.BroadcastMetrics(metrics, GlobalStep);
            model.Train();
            double trainLoss = lossSum / Math.Max(1, examples);
            if (options.Plateau is { } plateau)
                plateau.Step(monitor is not null && metrics.TryGetValue(monitor.Metric, out var watched) ? watched : trainLoss);
            History.Epochs.Add(new EpochRecord(epoch, trainLoss, learningRate, metrics, clock.Elapsed.TotalSeconds));
            CompletedEpochs = epoch;
            batchesDone = 0;
            epochStartState = null;

            bool stopEarly = false;
            if (monitor is not null)
            {
                if (!metrics.TryGetValue(monitor.Metric, out var current))
                    throw new InvalidOperationException($"Validation returned no metric '{monitor.Metric}' (it returned: {string.Join(", ", metrics.Keys)}).");
                if (monitor.Improves(current, History.BestValue))
                {
                    History.BestValue = current;
                    History.BestEpoch = epoch;
                    if (options.RestoreBestWeights) bestWeights = parameters.Select(p => p.ToArray()).ToArray();
                }
                stopEarly = epoch - History.BestEpoch >= monitor.Patience;
            }
            progress?.Report(new TrainingProgress(ProgressKind.EpochEnd, epoch, options.Epochs, batches.Count, batches.Count, trainLoss,
                learningRate, examples / Math.Max(1e-9, clock.Elapsed.TotalSeconds), metrics));
            if (options.CheckpointPath is { } checkpoint) WriteCheckpoint(checkpoint);
            if (stopEarly)
                return Stop(StopReason.EarlyStopped, $"No improvement of {monitor!.Metric} for {monitor.Patience} epochs after epoch {History.BestEpoch}.");
        }
        return Stop(StopReason.Completed, null);
    }

    private TrainingHistory Diverged(string message)
    {
        optimizer.ZeroGrad();
        return Stop(StopReason.Diverged, message + "; stopped before the optimizer step, so the parameters are those of the last good step" +
            (options.CheckpointPath is null ? "." : $" and {options.CheckpointPath} holds the last checkpoint written before it."));
    }

    private TrainingHistory Stop(StopReason reason, string? message)
    {
        History.StopReason = reason;
        History.Message = message;
        if (bestWeights is not null && reason != StopReason.Diverged)
        {
            var parameters = model.Parameters().ToArray();
            for (int i = 0; i < parameters.Length; i++) bestWeights[i].CopyTo(parameters[i].Data);
        }
        options.DataParallel?.VerifyIdentical(model.Parameters().ToArray(), GlobalStep);
        return History;
    }

    /// <summary>This rank's share of <paramref name="batch"/> (see <see cref="Shard"/>).</summary>
    private TBatch ShareOf(TBatch batch, DataParallel parallel)
    {
        if (Shard is { } shard) return shard(batch);
        if (batch is not Array items)
            throw new InvalidOperationException($"Data-parallel training of batches of {typeof(TBatch).Name} needs Trainer.Shard to say what a rank's share of a batch is.");
        var (start, count) = parallel.ShareOf(items.Length);
        var part = Array.CreateInstance(items.GetType().GetElementType()!, count);
        Array.Copy(items, start, part, 0, count);
        return (TBatch)(object)part;
    }

    /// <summary>Writes the checkpoint on rank 0 only (every rank holds the same state).</summary>
    private void WriteCheckpoint(string path)
    {
        if (options.DataParallel is { IsRoot: false }) return;
        SaveCheckpoint(path);
    }

    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "+infinity" : "-infinity";

    /// <summary>√(Σ g²) over every gradient, accumulated in double.</summary>
    private static double GlobalGradientNorm(IEnumerable<Tensor> parameters)
    {
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            foreach (float g in p.Grad.Data) sum += (double)g * g;
        }
        return Math.Sqrt(sum);
    }

    // ------------------------------------------------------------------ checkpoints (the file format: TrainingCheckpoint)

    /// <summary>
    /// Writes everything a resume needs — parameters, optimizer state, the generator's state, the position
    /// in the run, the history and the schedules — to <paramref name="path"/> (atomically: a temporary file
    /// renamed over the old one).
    /// </summary>
    public void SaveCheckpoint(string path) => TrainingCheckpoint.Save(path, model, optimizer, new TrainingCheckpoint
    {
        RandomState = random.GetState(),
        EpochStartState = batchesDone > 0 ? epochStartState : null,
        CompletedEpochs = CompletedEpochs,
        BatchesDone = batchesDone,
        GlobalStep = GlobalStep,
        EpochLossSum = lossSum,
        EpochExamples = examples,
        History = History,
        SchedulerState = options.Scheduler?.GetState(),
        PlateauState = options.Plateau?.GetState(),
        BestWeights = bestWeights,
    }, options.CheckpointMetadata);

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer, its model and optimizer.</summary>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = TrainingCheckpoint.Load(path, model, optimizer, needsScheduler: options.Scheduler is not null, needsPlateau: options.Plateau is not null);
        random.SetState(checkpoint.RandomState);
        epochStartState = checkpoint.EpochStartState;
        CompletedEpochs = checkpoint.CompletedEpochs;
        batchesDone = checkpoint.BatchesDone;
        GlobalStep = checkpoint.GlobalStep;
        lossSum = checkpoint.EpochLossSum;
        examples = checkpoint.EpochExamples;
        History = checkpoint.History;
        if (checkpoint.SchedulerState is { } schedule) options.Scheduler!.SetState(schedule);
        if (checkpoint.PlateauState is { } plateau) options.Plateau!.SetState(plateau);
        bestWeights = checkpoint.BestWeights;
    }
}
