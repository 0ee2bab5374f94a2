using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// How every task turns its options into a training run: the optimizer (--optimizer, --lr, else the
/// task's defaults), the epochs, clipping (--clip; 0 turns it off), an optional schedule, the checkpoint
/// (--checkpoint) and, with --resume, the state of the last checkpoint restored so the run continues
/// where it stopped and ends exactly as an uninterrupted run would.
/// </summary>
public static class TaskTrainer
{
    /// <summary>
    /// Creates the trainer of <paramref name="model"/>. <paramref name="epochs"/> overrides the defaults' epochs
    /// when the task computes its own (the command line's --epochs still wins); <paramref name="schedule"/>
    /// builds a learning-rate schedule from the optimizer, the epochs and the learning rate;
    /// <paramref name="checkpointSuffix"/> names a second run's checkpoint beside the first's (mnist's
    /// fine-tuning phase). With <see cref="TaskContext.DataParallel"/> the run is data-parallel; a batch that is
    /// not an array of example indices needs <paramref name="shard"/> (see <see cref="Trainer{TBatch}.Shard"/>).
    /// </summary>
    public static Trainer<TBatch> Create<TBatch>(Module model, RandomGenerator random, TaskOptions options, TrainingDefaults defaults,
        TaskContext context, Func<TBatch, Trainer<TBatch>.BatchLoss> loss, MetricMonitor? monitor = null, int? epochs = null,
        Func<Optimizer, int, double, LearningRateScheduler>? schedule = null, string checkpointSuffix = "", Func<TBatch, TBatch>? shard = null)
    {
        int totalEpochs = options.Epochs ?? epochs ?? defaults.Epochs;
        double learningRate = options.LearningRate ?? defaults.LearningRate;
        double clip = options.Clip ?? defaults.Clip;
        var optimizer = OptimizerCatalog.Create(options.Optimizer ?? defaults.Optimizer, model.Parameters(), learningRate);
        string? checkpoint = options.CheckpointPath is { } path ? path + checkpointSuffix : null;
        var trainer = new Trainer<TBatch>(model, optimizer, random, loss, new TrainerOptions
        {
            Epochs = totalEpochs,
            ClipNorm = clip > 0 ? clip : null,
            Monitor = monitor,
            Scheduler = schedule?.Invoke(optimizer, totalEpochs, learningRate),
            CheckpointPath = checkpoint,
            DataParallel = context.DataParallel,
        })
        {
            Shard = shard,
        };
        if (options.Resume)
        {
            if (checkpoint is null) throw new TaskUsageException("--resume needs --checkpoint PATH (the checkpoint to continue from).");
            if (File.Exists(checkpoint))
            {
                trainer.LoadCheckpoint(checkpoint);
                context.Log($"resumed from {checkpoint}: {trainer.CompletedEpochs} of {totalEpochs} epochs done, step {trainer.GlobalStep}");
            }
            else context.Log($"no checkpoint at {checkpoint} yet: starting from the beginning");
        }
        return trainer;
    }
}
