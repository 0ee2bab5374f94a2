using System.Globalization;
using RecurrentSharp.Training;
using Spectre.Console;

namespace RecurrentSharp.Cli.Display;

/// <summary>
/// Draws training progress on standard error: on a terminal, live bars per model (epochs, and batches with
/// loss and throughput); otherwise (redirected), one plain line per epoch.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly IAnsiConsole console;
    private readonly bool live;

    public ProgressDisplay()
    {
        live = !Console.IsErrorRedirected;
        console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = live ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!live) console.Profile.Width = 10_000;   // a log keeps each epoch on one line
    }

    /// <summary>Writes a status line to standard error.</summary>
    public void Log(string line) => console.MarkupLine("[grey]" + Markup.Escape(line) + "[/]");

    /// <summary>Runs <paramref name="work"/> with a progress factory bound to this display.</summary>
    public T Run<T>(Func<Func<string, IProgress<TrainingProgress>?>, T> work)
    {
        if (!live) return work(label => new LineProgress(this, label));
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var bars = new Dictionary<string, LiveProgress>();
                result = work(label =>
                {
                    lock (bars)
                    {
                        if (!bars.TryGetValue(label, out var bar)) bars[label] = bar = new LiveProgress(ctx, label);
                        return bar;
                    }
                });
            });
        return result;
    }

    internal static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} lr {p.LearningRate:G3} {p.ExamplesPerSecond:F0} ex/s");

    internal static string Validation(IReadOnlyDictionary<string, double>? metrics) =>
        metrics is null || metrics.Count == 0 ? "" : " | " + string.Join(" ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")));

    /// <summary>Two bars per model: epochs, and batches of the current epoch.</summary>
    private sealed class LiveProgress : IProgress<TrainingProgress>
    {
        private readonly ProgressTask epochs;
        private readonly ProgressTask batches;
        private readonly string label;

        public LiveProgress(ProgressContext context, string label)
        {
            this.label = label;
            epochs = context.AddTask(Markup.Escape($"{label}: epochs"));
            batches = context.AddTask(Markup.Escape($"{label}: batches"));
        }

        public void Report(TrainingProgress p)
        {
            epochs.MaxValue = Math.Max(1, p.Epochs);
            switch (p.Kind)
            {
                case ProgressKind.EpochStart:
                    batches.MaxValue = Math.Max(1, p.Batches);
                    batches.Value = 0;
                    break;
                case ProgressKind.Batch:
                    batches.Value = p.Batch;
                    batches.Description = Markup.Escape($"{label}: {Describe(p)}");
                    break;
                case ProgressKind.EpochEnd:
                    epochs.Value = p.Epoch;
                    epochs.Description = Markup.Escape($"{label}: epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4}{Validation(p.Validation)}");
                    break;
            }
        }
    }

    /// <summary>
    /// The time left if every remaining epoch takes as long as the epochs timed so far took on average:
    /// " | eta 12m 05s" (an upper bound when early stopping ends the run sooner); empty before the first epoch ends.
    /// </summary>
    internal static string Eta(TimeSpan elapsed, int epochsTimed, int epochsLeft)
    {
        if (epochsTimed <= 0 || epochsLeft <= 0) return "";
        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds / epochsTimed * epochsLeft);
        return left.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $" | eta {(int)left.TotalHours}h {left.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $" | eta {left.Minutes}m {left.Seconds:00}s");
    }

    /// <summary>One line per epoch, for logs and redirected output, with the time left (<see cref="Eta"/>).</summary>
    private sealed class LineProgress(ProgressDisplay display, string label) : IProgress<TrainingProgress>
    {
        private readonly System.Diagnostics.Stopwatch clock = new();
        private int firstEpoch;   // a resumed run starts past epoch 1: only the epochs run here are timed

        public void Report(TrainingProgress p)
        {
            if (p.Kind == ProgressKind.EpochStart && !clock.IsRunning) { clock.Start(); firstEpoch = p.Epoch; }
            if (p.Kind != ProgressKind.EpochEnd) return;
            string eta = clock.IsRunning ? Eta(clock.Elapsed, p.Epoch - firstEpoch + 1, p.Epochs - p.Epoch) : "";
            display.Log($"{label}: {Describe(p)}{Validation(p.Validation)}{eta}");
        }
    }
}
