namespace RecurrentSharp.Models;

/// <summary>
/// The seasonal-naive forecast, the yardstick a forecaster must beat: every future value repeats the
/// value one season earlier, ŷ_(T+h) = y_(T+h−s·k) with k = ⌈h/s⌉ (the last observed value of the same
/// phase of the season), for h = 1..H after the last observation y_T and season length s.
/// With s = 1 it is the plain naive forecast ŷ_(T+h) = y_T.
/// </summary>
public sealed class SeasonalNaive
{
    /// <summary>Creates the baseline for seasons of <paramref name="season"/> steps (1: naive).</summary>
    public SeasonalNaive(int season)
    {
        if (season < 1) throw new ArgumentOutOfRangeException(nameof(season), season, "the season must be at least 1 step");
        Season = season;
    }

    /// <summary>The season length s in steps.</summary>
    public int Season { get; }

    /// <summary>
    /// The forecasts ŷ_(T+1) … ŷ_(T+H) after <paramref name="history"/> (y_1 … y_T, at least one season long).
    /// </summary>
    public float[] Forecast(ReadOnlySpan<float> history, int horizon)
    {
        if (history.Length < Season)
            throw new ArgumentException($"The seasonal-naive forecast needs at least one season ({Season} values) of history, got {history.Length}.", nameof(history));
        var forecast = new float[horizon];
        int last = history.Length - 1;   // index of y_T
        for (int h = 1; h <= horizon; h++)
        {
            int k = (h + Season - 1) / Season;                 // ⌈h/s⌉
            forecast[h - 1] = history[last + h - Season * k];
        }
        return forecast;
    }
}
