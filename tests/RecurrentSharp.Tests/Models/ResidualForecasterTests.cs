using RecurrentSharp.Models;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models;

public class ResidualForecasterTests
{
    private static readonly float[] Series = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Fact]
    public void The_anchors_are_the_seasonal_naive_forecasts_of_each_window()
    {
        var forecaster = new ResidualForecaster(new SequenceRegressor(new SequenceRegressorConfig(Outputs: 2, HiddenSize: 3), new RandomGenerator(1)), anchorSeason: 3, horizon: 2);
        var anchors = forecaster.Anchors(Series, [6, 8]);
        // From y_1..y_6 = 1..6 with s = 3: ŷ_7 = y_4 = 4, ŷ_8 = y_5 = 5; from 1..8: ŷ_9 = y_6 = 6, ŷ_10 = y_7 = 7.
        Assert.Equal(new float[] { 4, 5, 6, 7 }, anchors);
    }

    [Fact]
    public void With_a_zero_correction_it_forecasts_the_anchor_and_trains_on_the_residual()
    {
        var regressor = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 2, HiddenSize: 3), new RandomGenerator(1));
        regressor.Head.Weight.Data.Clear();
        regressor.Head.Bias!.Data.Clear();
        var forecaster = new ResidualForecaster(regressor, anchorSeason: 3, horizon: 2);
        float[] anchors = forecaster.Anchors(Series, [6, 8]);
        var inputs = Tensor.Wrap(new float[2 * 4], 2, 4, 1);
        using (new NoGradScope())
            Assert.Equal(new float[] { 6, 7, 4, 5 }, forecaster.Forecast(inputs, anchors, [1, 0]));
        var targets = Tensor.Wrap(new float[] { 9, 10, 7, 8 }, 2, 2);
        Assert.Equal(new float[] { 3, 3, 3, 3 }, forecaster.Residuals(targets, anchors, [1, 0]).ToArray());
    }

    [Fact]
    public void A_regressor_whose_outputs_do_not_match_the_horizon_is_refused()
    {
        var regressor = new SequenceRegressor(new SequenceRegressorConfig(Outputs: 1, HiddenSize: 3), new RandomGenerator(1));
        Assert.Throws<ArgumentException>(() => new ResidualForecaster(regressor, anchorSeason: 12, horizon: 12));
    }
}
