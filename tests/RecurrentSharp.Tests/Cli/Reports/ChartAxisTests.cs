using RecurrentSharp.Cli.Reports;

namespace RecurrentSharp.Tests.Cli.Reports;

/// <summary>The ticks of report charts: nice 1-2-5 steps with rounded labels on linear axes, whole decades over the full range on log axes.</summary>
public class ChartAxisTests
{
    private static void AssertTicks(ChartAxis axis, double[] values, string[] labels)
    {
        Assert.Equal(labels, axis.Ticks.Select(t => t.Label));
        Assert.Equal(values.Length, axis.Ticks.Count);
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i], axis.Ticks[i].Value, Math.Abs(values[i]) * 1e-9 + 1e-15);
    }

    [Fact]
    public void A_log_axis_over_1e_14_to_1_labels_every_second_decade_down_to_1e_14()
    {
        var axis = ChartAxis.Logarithmic(1e-14, 1);
        AssertTicks(axis, Enumerable.Range(0, 8).Select(k => Math.Pow(10, -14 + 2 * k)).ToArray(),
            ["10⁻¹⁴", "10⁻¹²", "10⁻¹⁰", "10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "10⁰"]);
        Assert.Equal(0, axis.Fraction(1e-14), 12);
        Assert.Equal(1, axis.Fraction(1), 12);
    }

    [Fact]
    public void A_log_axis_grows_to_labelled_decades_around_the_data()
    {
        // The vanishing demo's plain RNN: 8.7e-14 at the first step, 1.25 at the last.
        var axis = ChartAxis.Logarithmic(8.67444e-14, 1.24963);
        Assert.Equal(-14, axis.Low);
        Assert.Equal(2, axis.High);
        Assert.Equal("10⁻¹⁴", axis.Ticks[0].Label);
        Assert.Equal("10²", axis.Ticks[^1].Label);
        Assert.All(axis.Ticks, t => Assert.InRange(axis.Fraction(t.Value), -1e-12, 1 + 1e-12));
    }

    [Fact]
    public void A_log_axis_of_few_decades_labels_each_as_a_plain_number()
    {
        AssertTicks(ChartAxis.Logarithmic(0.003, 0.8), [0.001, 0.01, 0.1, 1], ["0.001", "0.01", "0.1", "1"]);
        AssertTicks(ChartAxis.Logarithmic(5, 5), [1, 10], ["1", "10"]);
    }

    [Fact]
    public void Linear_ticks_take_nice_steps_with_rounded_labels()
    {
        // The adding demo's training loss, once drawn with the labels 0.43166 ... 0.58896.
        AssertTicks(ChartAxis.Linear(0.43166, 0.58896), [0.40, 0.45, 0.50, 0.55, 0.60], ["0.40", "0.45", "0.50", "0.55", "0.60"]);
        AssertTicks(ChartAxis.Linear(-3.2, 7.9), [-5, 0, 5, 10], ["-5", "0", "5", "10"]);
        AssertTicks(ChartAxis.Linear(0, 0.93, maxTicks: 9), [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        AssertTicks(ChartAxis.Linear(0.00015961, 0.00098), [0, 2e-4, 4e-4, 6e-4, 8e-4, 1e-3], ["0", "2e-4", "4e-4", "6e-4", "8e-4", "1e-3"]);
        AssertTicks(ChartAxis.Linear(1200, 98000), [0, 20000, 40000, 60000, 80000, 100000], ["0", "20000", "40000", "60000", "80000", "100000"]);
    }

    [Fact]
    public void Integer_axes_step_by_whole_numbers_and_a_single_point_gets_room()
    {
        AssertTicks(ChartAxis.Linear(1, 20, maxTicks: 11, integers: true), Enumerable.Range(0, 11).Select(k => 2.0 * k).ToArray(),
            Enumerable.Range(0, 11).Select(k => (2 * k).ToString()).ToArray());
        AssertTicks(ChartAxis.Linear(1, 3, maxTicks: 11, integers: true), [1, 2, 3], ["1", "2", "3"]);
        AssertTicks(ChartAxis.Linear(1, 1, integers: true), [0, 1, 2], ["0", "1", "2"]);
        var flat = ChartAxis.Linear(0.25, 0.25);
        Assert.InRange(flat.Fraction(0.25), 0.01, 0.99);
    }

    [Fact]
    public void Axes_refuse_ranges_they_cannot_draw()
    {
        Assert.Throws<ArgumentException>(() => ChartAxis.Logarithmic(0, 1));
        Assert.Throws<ArgumentException>(() => ChartAxis.Linear(2, 1));
        Assert.Throws<ArgumentException>(() => ChartAxis.Linear(double.NaN, 1));
    }
}
