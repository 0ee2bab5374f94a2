using RecurrentSharp.Training;

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
}
