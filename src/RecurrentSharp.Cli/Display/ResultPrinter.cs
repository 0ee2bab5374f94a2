using System.Text.Json;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Cli.Display;

/// <summary>
/// Prints a task result: with --json exactly one JSON object on standard output and the tables on standard
/// error; otherwise the tables and the headline on standard output.
/// </summary>
internal static class ResultPrinter
{
    public static void Print(TaskResult result, bool json)
    {
        var text = json ? Console.Error : Console.Out;
        foreach (var line in result.Lines) text.WriteLine(line);
        if (result.ModelPath is not null) text.WriteLine($"model saved to {result.ModelPath}");
        if (json)
            Console.Out.WriteLine(result.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        else
            text.WriteLine($"{result.Task}: {result.Metric} = {result.Value:G6}");
    }
}
