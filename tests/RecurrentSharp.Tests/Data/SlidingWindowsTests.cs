using RecurrentSharp.Data;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Data;

public class SlidingWindowsTests
{
    [Fact]
    public void Windows_hold_the_past_as_input_and_the_next_horizon_as_target()
    {
        float[] series = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var windows = SlidingWindows.Create(series, windowLength: 3, horizon: 2, firstTarget: 0, endTarget: 10);
        Assert.Equal(6, windows.Count); // targets start at 3..8
        Assert.Equal([3, 4, 5, 6, 7, 8], windows.TargetStarts);
        Assert.Equal([2f, 3, 4], windows.Inputs[6..9]);
        Assert.Equal([5f, 6], windows.Targets[4..6]);

        var inputs = windows.InputBatch([2, 0], SequenceLayout.TimeMajor);
        Assert.Equal([3, 2, 1], inputs.GetShape());
        Assert.Equal([2f, 0, 3, 1, 4, 2], inputs.ToArray());
        Assert.Equal([2, 3, 1], windows.InputBatch([2, 0]).GetShape());
        Assert.Equal([5f, 6, 3, 4], windows.TargetBatch([2, 0]).ToArray());
    }

    [Fact]
    public void Airline_split_keeps_evaluation_targets_in_the_last_third_and_scales_by_the_training_part()
    {
        float[] passengers = TimeSeriesCsvReader.Read(SharedFolder.Path("timeseries", "airline-passengers.csv")).Values;
        int split = SlidingWindows.SplitPoint(passengers.Length, 1.0 / 3);
        Assert.Equal(96, split);

        var scaler = SeriesScaler.FitMinMax(passengers.AsSpan(0, split));
        Assert.Equal((104.0, 413.0 - 104.0), (scaler.Offset, scaler.Scale)); // 1949-01 … 1956-12 peaks at 413 (1956-07)
        float[] scaled = scaler.Transform(passengers);
        Assert.True(scaled[^1] > 1, "the evaluation part exceeds the training range");

        var train = SlidingWindows.Create(scaled, 12, 3, 0, split);
        var evaluate = SlidingWindows.Create(scaled, 12, 3, split, passengers.Length);
        Assert.Equal(96 - 12 - 3 + 1, train.Count);
        Assert.Equal(48 - 3 + 1, evaluate.Count);
        Assert.True(train.TargetStarts[^1] + 3 <= split);
        Assert.Equal(split, evaluate.TargetStarts[0]);
        Assert.Equal(passengers[^1], scaler.Inverse(evaluate.Targets[^1]), 3);
    }

    [Fact]
    public void Standard_scaler_inverts_to_the_data_units()
    {
        float[] values = [1, 2, 3, 4];
        var scaler = SeriesScaler.FitStandard(values);
        Assert.Equal(2.5, scaler.Offset);
        Assert.Equal(Math.Sqrt(1.25), scaler.Scale, 12);
        TensorAssert.Close(values, scaler.Inverse(scaler.Transform(values)), 1e-6, "round trip");
        Assert.Equal(1.0, SeriesScaler.FitStandard([7f, 7f]).Scale); // a constant series does not divide by 0
    }
}
