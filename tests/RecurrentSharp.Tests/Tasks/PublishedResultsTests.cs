using System.Globalization;
using System.Text.RegularExpressions;
using RecurrentSharp.Tasks;
using RecurrentSharp.Tests.Architecture;

namespace RecurrentSharp.Tests.Tasks;

/// <summary><c>rnn reproduce</c>'s rows and README's results table say the same thing.</summary>
public class PublishedResultsTests
{
    private static readonly string[] TableRows = File.ReadAllLines(Path.Combine(FloorTests.RepositoryRoot(), "README.md"))
        .Where(line => line.StartsWith("| `", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Every_row_is_in_README_with_its_command_and_its_bold_figure()
    {
        Assert.NotEmpty(PublishedResults.All);
        Assert.All(PublishedResults.All, row =>
        {
            var line = TableRows.SingleOrDefault(l => l.Split('|')[^2].Contains($"`{row.Command}`", StringComparison.Ordinal));
            Assert.True(line is not null, $"README's results table has no row whose command is `{row.Command}`");
            var bold = Regex.Matches(line!, @"\*\*([^*]+)\*\*").SelectMany(m => Regex.Matches(m.Groups[1].Value, @"\d+(\.\d+)?"))
                .Select(n => double.Parse(n.Value, CultureInfo.InvariantCulture)).ToList();
            Assert.True(bold.Any(n => Math.Abs(n - row.Value) < 1e-9 || Math.Abs(n - 100 * row.Value) < 1e-6),
                $"`{row.Command}`: README's bold figures are {string.Join(", ", bold)}, the reproduce row says {row.Value}");
        });
    }

    [Fact]
    public void Every_README_row_with_a_command_is_reproduced()
    {
        var commands = TableRows.Select(l => Regex.Match(l.Split('|')[^2], @"`(rnn train [^`]+)`").Groups[1].Value).Where(c => c.Length > 0);
        Assert.All(commands, command => Assert.Contains(PublishedResults.All, row => row.Command == command));
    }

    [Theory]
    [InlineData(true, 0.9856, 0.005, 0.981, true)]
    [InlineData(true, 0.9856, 0.005, 0.980, false)]
    [InlineData(false, 23.2, 3.0, 26.1, true)]
    [InlineData(false, 23.2, 3.0, 26.3, false)]
    [InlineData(false, 23.2, 3.0, double.NaN, false)]
    public void A_rerun_reproduces_a_row_unless_it_is_worse_by_more_than_the_noise(bool higherIsBetter, double value, double noise, double measured, bool expected)
    {
        var row = new PublishedResult("t", [], "value", value, noise, higherIsBetter);
        Assert.Equal(expected, row.IsReproducedBy(measured));
    }

    [Fact]
    public void A_task_without_results_is_a_usage_error()
    {
        Assert.Throws<TaskUsageException>(() => PublishedResults.For("adding"));
        Assert.Equal(3, PublishedResults.For("timeseries").Count);
    }
}
