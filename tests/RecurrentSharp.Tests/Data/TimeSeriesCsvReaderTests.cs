using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class TimeSeriesCsvReaderTests
{
    [Fact]
    public void Airline_passengers_are_144_monthly_integers_from_104_to_622()
    {
        var series = TimeSeriesCsvReader.Read(SharedFolder.Path("timeseries", "airline-passengers.csv"), "Passengers", strict: true);
        Assert.Equal(144, series.Values.Length);
        Assert.Equal("Passengers", series.ColumnName);
        Assert.Equal((112f, 432f), (series.Values[0], series.Values[^1])); // the last row has no line end
        Assert.Equal((104f, 622f), (series.Values.Min(), series.Values.Max()));
        Assert.Equal(40_363.0, series.Values.Sum(v => (double)v));
        Assert.Equal(("1949-01", "1960-12"), (series.Times![0], series.Times[^1]));
        Assert.Equal((2, 145), (series.LineNumbers[0], series.LineNumbers[^1]));
    }

    [Fact]
    public void Melbourne_temperatures_are_3650_daily_values_read_by_default_last_column()
    {
        string path = SharedFolder.Path("timeseries", "daily-min-temperatures.csv");
        Assert.Equal(["Date", "Temp"], TimeSeriesCsvReader.ReadHeader(path));
        var series = TimeSeriesCsvReader.Read(path, strict: true);
        Assert.Equal(3650, series.Values.Length);
        Assert.Equal("Temp", series.ColumnName);
        Assert.Equal((20.7f, 13.0f), (series.Values[0], series.Values[^1]));
        Assert.Equal((0f, 26.3f), (series.Values.Min(), series.Values.Max()));
        Assert.Equal(40_798.8, series.Values.Sum(v => (double)v), 2);
        Assert.DoesNotContain("1984-12-31", series.Times!); // a quirk of the export: two New Year's Eves are absent
    }

    [Fact]
    public void Columns_are_chosen_by_name_ignoring_case_or_by_index_and_quotes_may_hold_commas()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("q.csv", "\"When, exactly\",\"Sales\",Cost\r\n\"Jan, 1\",\"1,5\",2.5\r\n\"Feb \"\"2\"\"\",7,-3e1");
        var cost = TimeSeriesCsvReader.Read(path, "cost", strict: true);
        Assert.Equal([2.5f, -30f], cost.Values);
        Assert.Equal(["Jan, 1", "Feb \"2\""], cost.Times!);
        var byIndex = TimeSeriesCsvReader.Read(path, 2, strict: true);
        Assert.Equal(cost.Values, byIndex.Values);
        var error = Assert.Throws<DataFormatException>(() => TimeSeriesCsvReader.Read(path, "Sales", strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
        Assert.Contains("'1,5'", error.Message); // a decimal comma is not a number here
    }

    [Fact]
    public void Bad_numbers_and_short_rows_are_reported_with_their_lines()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("t.csv", "Date,Temp\n2000-01-01,1.5\n2000-01-02,?1.2\n2000-01-03\n\n2000-01-05,\n2000-01-06,NaN\n2000-01-07,\"3\"\n2000-01-08,\"4\n");
        var series = TimeSeriesCsvReader.Read(path, "Temp");
        Assert.Equal([1.5f, 3f], series.Values);
        Assert.Equal([2, 8], series.LineNumbers);
        Assert.Equal([3, 4, 6, 7, 9], series.Skipped.Select(s => s.LineNumber));
        Assert.Contains("'?1.2'", series.Skipped[0].Reason);
        Assert.Contains("1 fields", series.Skipped[1].Reason);
        Assert.Contains("missing value", series.Skipped[2].Reason);
        Assert.Contains("unterminated", series.Skipped[4].Reason);
        var error = Assert.Throws<DataFormatException>(() => TimeSeriesCsvReader.Read(path, "Temp", strict: true));
        Assert.Equal(3, error.LineNumber);
    }

    [Fact]
    public void An_unknown_column_lists_the_header()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("t.csv", "\"Month\",\"Passengers\"\n\"1949-01\",112\n");
        var error = Assert.Throws<DataFormatException>(() => TimeSeriesCsvReader.Read(path, "Riders"));
        Assert.Contains("'Month', 'Passengers'", error.Message);
        Assert.Throws<DataFormatException>(() => TimeSeriesCsvReader.Read(path, 5));
    }
}
