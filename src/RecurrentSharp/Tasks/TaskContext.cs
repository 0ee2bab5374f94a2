using RecurrentSharp.Training;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Tasks;

/// <summary>How a task talks to whoever runs it: progress, status lines, cancellation.</summary>
public sealed class TaskContext
{
    /// <summary>A context that reports nothing.</summary>
    public static TaskContext Silent { get; } = new();

    /// <summary>
    /// Creates the progress sink for one training run, by label (a task that trains several models — the
    /// built-in demo trains three — asks for one per model). Returns null for no progress.
    /// </summary>
    public Func<string, IProgress<TrainingProgress>?> ProgressFor { get; init; } = _ => null;

    /// <summary>Writes a status line (the CLI sends these to standard error).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>Stops training early.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Train data-parallel across the ranks of an MPI job (<c>--distributed</c>), or null for one process.</summary>
    public DataParallel? DataParallel { get; init; }

    /// <summary>True when this process writes the model and other files: always, except on the ranks other than 0 of a distributed job.</summary>
    public bool WritesFiles => DataParallel is null || DataParallel.IsRoot;
}
