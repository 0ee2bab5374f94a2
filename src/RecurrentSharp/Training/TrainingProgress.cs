namespace RecurrentSharp.Training;

/// <summary>What a progress report marks.</summary>
public enum ProgressKind
{
    /// <summary>An epoch is about to start.</summary>
    EpochStart,

    /// <summary>A batch has been trained on.</summary>
    Batch,

    /// <summary>An epoch has ended and been validated.</summary>
    EpochEnd,
}

/// <summary>
/// One progress report of <see cref="Trainer{TBatch}"/>, for a console or a UI to draw (it arrives through
/// <see cref="IProgress{T}"/>).
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The number of epochs planned.</param>
/// <param name="Batch">The batch within the epoch, from 1 (0 at epoch start).</param>
/// <param name="Batches">The number of batches in the epoch.</param>
/// <param name="Loss">The mean training loss of the epoch so far.</param>
/// <param name="LearningRate">The learning rate in use.</param>
/// <param name="ExamplesPerSecond">Training throughput over the epoch so far.</param>
/// <param name="Validation">Validation metrics (at epoch end), else null.</param>
public sealed record TrainingProgress(ProgressKind Kind, int Epoch, int Epochs, int Batch, int Batches, double Loss, double LearningRate,
    double ExamplesPerSecond, IReadOnlyDictionary<string, double>? Validation = null);

/// <summary>One epoch of the history.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">The mean training loss over the epoch's batches.</param>
/// <param name="LearningRate">The learning rate used in the epoch.</param>
/// <param name="Validation">Validation metrics after the epoch (empty without validation).</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double LearningRate, IReadOnlyDictionary<string, double> Validation, double Seconds);

/// <summary>Why training stopped.</summary>
public enum StopReason
{
    /// <summary>All planned epochs ran.</summary>
    Completed,

    /// <summary>The watched metric stopped improving (early stopping).</summary>
    EarlyStopped,

    /// <summary>A loss or gradient became NaN or infinite; the parameters are those of the last good step.</summary>
    Diverged,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

/// <summary>The per-epoch history of a run and how it ended.</summary>
public sealed class TrainingHistory
{
    /// <summary>The epochs, in order (including those before a resume).</summary>
    public List<EpochRecord> Epochs { get; } = [];

    /// <summary>Why the run stopped.</summary>
    public StopReason StopReason { get; set; } = StopReason.Completed;

    /// <summary>A sentence about the stop (e.g. which epoch and step diverged).</summary>
    public string? Message { get; set; }

    /// <summary>The epoch with the best watched metric, or 0.</summary>
    public int BestEpoch { get; set; }

    /// <summary>The best value of the watched metric, or NaN.</summary>
    public double BestValue { get; set; } = double.NaN;
}
