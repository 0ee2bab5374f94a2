using RecurrentSharp.Cli.Display;
using Xunit;

namespace RecurrentSharp.Tests.Cli.Display;

public class ProgressDisplayTests
{
    [Theory]
    [InlineData(60.0, 2, 3, " | eta 1m 30s")]      // 30 s an epoch, 3 left
    [InlineData(600.0, 1, 10, " | eta 1h 40m")]    // 10 min an epoch, 10 left
    [InlineData(10.0, 1, 0, "")]                   // the last epoch: nothing left
    [InlineData(0.0, 0, 5, "")]                    // no epoch timed yet
    public void The_time_left_is_the_mean_epoch_time_times_the_epochs_left(double seconds, int timed, int left, string expected)
    {
        Assert.Equal(expected, ProgressDisplay.Eta(TimeSpan.FromSeconds(seconds), timed, left));
    }
}
