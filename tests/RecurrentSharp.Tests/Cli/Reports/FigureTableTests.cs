using RecurrentSharp.Cli.Reports;

namespace RecurrentSharp.Tests.Cli.Reports;

/// <summary>The figures table of a report: nested results become tables, never raw JSON.</summary>
public class FigureTableTests
{
    [Fact]
    public void A_list_of_records_becomes_a_table_with_a_column_per_field()
    {
        var html = FigureTable.Draw([new("results", new List<Dictionary<string, object>>
        {
            new() { ["cell"] = "rnn", ["mse"] = 0.234922, ["grad_ratio_first_to_last"] = 4.895378400370745e-14 },
            new() { ["cell"] = "lstm", ["mse"] = 0.278021, ["grad_ratio_first_to_last"] = 0.00012202078082349561 },
        })]);
        Assert.Contains("<th>cell</th><th>mse</th><th>grad_ratio_first_to_last</th>", html);
        Assert.Contains("<td class=\"text\">rnn</td><td>0.23492</td><td>4.8954e-14</td>", html);
        Assert.Contains("<td>0.00012202</td>", html);
        Assert.DoesNotContain("{", html);
        Assert.DoesNotContain("&quot;", html);
    }

    [Fact]
    public void Matrices_records_and_lists_of_words_are_drawn_as_what_they_are()
    {
        var html = FigureTable.Draw([
            new("confusion", new[] { new[] { 5, 1 }, new[] { 0, 7 } }),
            new("speakers", new[] { "george", "jackson" }),
            new("precisions", new[] { 0.5, 0.25 }),
            new("split", new Dictionary<string, object> { ["train"] = 900, ["test"] = 100 }),
            new("loss", double.NaN),
        ]);
        Assert.Contains("<tr><th></th><th>0</th><th>1</th></tr><tr><th>0</th><td>5</td><td>1</td></tr><tr><th>1</th><td>0</td><td>7</td></tr>", html);
        Assert.Contains("george, jackson", html);
        Assert.Contains("0.5, 0.25", html);
        Assert.Contains("<tr><td class=\"name\">train</td><td>900</td></tr>", html);
        Assert.Contains("NaN", html);
        Assert.DoesNotContain("[", html);
    }
}
