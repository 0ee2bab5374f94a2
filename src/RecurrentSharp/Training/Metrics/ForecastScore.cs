using RecurrentSharp.Models;

namespace RecurrentSharp.Training.Metrics;

/// <summary>A forecasting baseline scored the way the forecasters are (the metrics live on this floor, the baseline on the models').</summary>
public static class ForecastScore
{
    /// <summary>
    /// The errors over forecasting windows: for each target start s in <paramref name="targetStarts"/>, the
    /// forecast from series[0, s) against series[s, s + H).
    /// </summary>
    public static RegressionMetrics Score(this SeasonalNaive baseline, ReadOnlySpan<float> series, IReadOnlyList<int> targetStarts, int horizon)
    {
        var metrics = new RegressionMetrics();
        foreach (int start in targetStarts)
            metrics.AddRange(baseline.Forecast(series[..start], horizon), series.Slice(start, horizon));
        return metrics;
    }
}
