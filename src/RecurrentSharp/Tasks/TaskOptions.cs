namespace RecurrentSharp.Tasks;

/// <summary>
/// What the user asked for on the command line. Unset values (null) take the task's defaults, which are
/// chosen so that the default model reaches the task's published target.
/// </summary>
public sealed record TaskOptions
{
    /// <summary>The data file or folder (else RNN_DATA, else the per-user cache).</summary>
    public string? DataPath { get; init; }

    /// <summary>The recurrent cell (rnn, lstm, gru, lstm-peephole, lstm-coupled, gru-cho, jordan, ...).</summary>
    public string? Cell { get; init; }

    /// <summary>The hidden size.</summary>
    public int? Hidden { get; init; }

    /// <summary>Stacked layers.</summary>
    public int? Layers { get; init; }

    /// <summary>Bidirectional encoder.</summary>
    public bool? Bidirectional { get; init; }

    /// <summary>Dropout probability.</summary>
    public float? Dropout { get; init; }

    /// <summary>Training epochs.</summary>
    public int? Epochs { get; init; }

    /// <summary>Examples per batch.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Optimizer name (see <see cref="Training.OptimizerCatalog.Names"/>).</summary>
    public string? Optimizer { get; init; }

    /// <summary>Gradient clipping by global norm.</summary>
    public double? Clip { get; init; }

    /// <summary>The seed every random choice of the run flows from.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where to save the trained model (a safetensors file), or null for the task's default name.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Where to keep the training checkpoint, or null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from the checkpoint at <see cref="CheckpointPath"/> when there is one (else start afresh).</summary>
    public bool Resume { get; init; }

    /// <summary>Treat a malformed input line as fatal instead of skipping it.</summary>
    public bool Strict { get; init; }

    /// <summary>Use at most this many training examples (a small slice for quick runs and tests).</summary>
    public int? Limit { get; init; }

    /// <summary>Allow downloading a missing dataset into the cache.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Task-specific options by name (e.g. column, season, horizon for timeseries).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>A task-specific option, or null.</summary>
    public string? Get(string name) => Extra.TryGetValue(name, out var v) ? v : null;

    /// <summary>A task-specific whole-number option of at least 1 (e.g. --window, --beam), or <paramref name="fallback"/> when not given.</summary>
    public int GetPositive(string name, int fallback)
    {
        if (Get(name) is not { } text) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value : throw new TaskUsageException($"--{name} must be a whole number >= 1, got '{text}'.");
    }
}
