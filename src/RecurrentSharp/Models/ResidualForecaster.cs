using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// The forecasting scheme of the timeseries task: the seasonal-naive forecast a (the value one season earlier)
/// is the anchor, and a recurrent regressor learns only the correction, ŷ = a + r̂(x). Trained on r = z − a, so an
/// untrained regressor (r̂ ≈ 0) already forecasts as well as seasonal naive. All in the series' normalised units.
/// </summary>
public sealed class ResidualForecaster
{
    private readonly SeasonalNaive anchor;

    /// <summary>Wraps <paramref name="regressor"/> (one output per step of the horizon) with a seasonal-naive anchor of <paramref name="anchorSeason"/> steps.</summary>
    public ResidualForecaster(SequenceRegressor regressor, int anchorSeason, int horizon)
    {
        if (regressor.Config.Outputs != horizon)
            throw new ArgumentException($"the regressor has {regressor.Config.Outputs} outputs, the horizon is {horizon}", nameof(regressor));
        Regressor = regressor;
        anchor = new SeasonalNaive(anchorSeason);
        Horizon = horizon;
    }

    /// <summary>The network that predicts the corrections r̂.</summary>
    public SequenceRegressor Regressor { get; }

    /// <summary>Steps forecast from each window.</summary>
    public int Horizon { get; }

    /// <summary>a for every window: the seasonal-naive forecast from series[0, s) for each target start s (Count × Horizon values).</summary>
    public float[] Anchors(ReadOnlySpan<float> series, IReadOnlyList<int> targetStarts)
    {
        var anchors = new float[targetStarts.Count * Horizon];
        for (int k = 0; k < targetStarts.Count; k++)
            anchor.Forecast(series[..targetStarts[k]], Horizon).CopyTo(anchors.AsSpan(k * Horizon));
        return anchors;
    }

    /// <summary>The training targets of a batch: r = z − a, shaped (batch, horizon).</summary>
    public Tensor Residuals(Tensor targets, float[] anchors, int[] batch) => targets - AnchorBatch(anchors, batch);

    /// <summary>ŷ = a + r̂(x) for the windows of <paramref name="batch"/> (evaluation: no tape), row-major (batch, horizon).</summary>
    public float[] Forecast(Tensor inputs, float[] anchors, int[] batch)
    {
        var corrections = Regressor.Forward(inputs).ToArray();
        var forecast = new float[corrections.Length];
        for (int b = 0; b < batch.Length; b++)
            for (int h = 0; h < Horizon; h++)
                forecast[b * Horizon + h] = anchors[batch[b] * Horizon + h] + corrections[b * Horizon + h];
        return forecast;
    }

    private Tensor AnchorBatch(float[] anchors, int[] batch)
    {
        var result = new float[batch.Length * Horizon];
        for (int b = 0; b < batch.Length; b++) anchors.AsSpan(batch[b] * Horizon, Horizon).CopyTo(result.AsSpan(b * Horizon));
        return Tensor.Wrap(result, batch.Length, Horizon);
    }
}
