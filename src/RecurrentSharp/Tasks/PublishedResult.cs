namespace RecurrentSharp.Tasks;

/// <summary>
/// One row of README's results table as <c>rnn reproduce</c> reruns it: the command, the figure it printed
/// (a key of the task's JSON result: <c>value</c> for the headline metric) and how far a rerun may fall
/// short before it counts as worse.
/// </summary>
/// <param name="Task">The task name.</param>
/// <param name="Arguments">The options after <c>rnn train TASK</c>, exactly as README's command column gives them.</param>
/// <param name="Figure">The JSON key of the figure.</param>
/// <param name="Value">The figure README reports, in the JSON's units (accuracy as a fraction, RMSE in the data's units, ...).</param>
/// <param name="Noise">How much worse a rerun may be and still reproduce the row (README states the same numbers).</param>
/// <param name="HigherIsBetter">True for accuracies and scores, false for errors and losses.</param>
public sealed record PublishedResult(string Task, string[] Arguments, string Figure, double Value, double Noise, bool HigherIsBetter)
{
    /// <summary>The command as README's table writes it, e.g. <c>rnn train sms-spam --threads 1</c>.</summary>
    public string Command => string.Join(" ", ["rnn", "train", Task, .. Arguments]);

    /// <summary>True when <paramref name="measured"/> is no worse than <see cref="Value"/> by more than <see cref="Noise"/>.</summary>
    public bool IsReproducedBy(double measured) =>
        double.IsFinite(measured) && (HigherIsBetter ? measured >= Value - Noise : measured <= Value + Noise);
}
