using RecurrentSharp.Models;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tests.Models;

public class SeasonalNaiveTests
{
    [Fact]
    public void Repeats_the_last_season_for_every_step_ahead()
    {
        float[] history = [1, 2, 3, 4, 5, 6, 7];   // season 3: the last season is 5, 6, 7
        Assert.Equal([5f, 6f, 7f, 5f, 6f, 7f, 5f], new SeasonalNaive(3).Forecast(history, 7));
        Assert.Equal([7f, 7f], new SeasonalNaive(1).Forecast(history, 2));   // naive: the last value
    }

    [Fact]
    public void Scores_windows_against_the_series()
    {
        float[] series = [1, 2, 1, 2, 1, 3];
        // Targets at 4 and 5 with season 2: forecasts 1 (exact) and 2 (off by 1) → RMSE √(1/2).
        var metrics = new SeasonalNaive(2).Score(series, [4, 5], 1);
        Assert.Equal(2, metrics.Count);
        Assert.Equal(Math.Sqrt(0.5), metrics.Rmse, 12);
        Assert.Equal(0.5, metrics.Mae, 12);
    }

    [Fact]
    public void Needs_a_season_of_history()
    {
        Assert.Throws<ArgumentException>(() => new SeasonalNaive(12).Forecast(new float[11], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeasonalNaive(0));
    }
}
