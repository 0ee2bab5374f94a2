using System.CommandLine;
using System.Globalization;
using RecurrentSharp.Cli.Display;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Cli.Commands;

/// <summary>
/// <c>rnn reproduce [TASK]</c>: reruns README's results table (full data; long), each row with exactly the
/// command README gives, and prints the measured figure beside README's. Exits 1 when a figure is worse than
/// README's by more than the row's stated noise.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var task = new Argument<string?>("task") { Description = "Only this task's rows (default: every row of README's table).", Arity = ArgumentArity.ZeroOrOne };
        var keep = new Option<string?>("--keep") { Description = "Keep the trained models in this folder (default: a temporary folder, removed at the end)." };
        var command = new Command("reproduce", "Rerun README's results table and compare each figure with README's.");
        command.Arguments.Add(task);
        command.Options.Add(keep);
        command.SetAction(parse =>
        {
            var rows = PublishedResults.For(parse.GetValue(task));
            string folder = parse.GetValue(keep) ?? Directory.CreateTempSubdirectory("rnn-reproduce-").FullName;
            Directory.CreateDirectory(folder);
            var lines = new List<string> { $"{"command",-78} {"README",9} {"measured",9} {"noise",6}  verdict" };
            bool allReproduced = true;
            try
            {
                for (int i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    Console.Error.WriteLine($"[{i + 1}/{rows.Count}] {row.Command}");
                    string model = Path.Combine(folder, $"{i + 1}-{row.Task}.safetensors");
                    var result = TaskCommands.RunTraining([row.Task, .. WithDataFound(row.Arguments), "--out", model]);
                    double measured = Figure(result, row.Figure);
                    bool reproduced = row.IsReproducedBy(measured);
                    allReproduced &= reproduced;
                    lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Command,-78} {Format(row.Value),9} {Format(measured),9} {Format(row.Noise),6}  {(reproduced ? "reproduced" : "WORSE")}"));
                }
            }
            finally
            {
                if (parse.GetValue(keep) is null) Directory.Delete(folder, recursive: true);
            }
            foreach (var line in lines) Console.WriteLine(line);
            return allReproduced ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// README names a dataset file by its bare name (<c>--data daily-min-temperatures.csv</c>, run beside the data);
    /// when no such file is here, it is looked up like any dataset file (RNN_DATA, then the cache, then a download).
    /// </summary>
    private static string[] WithDataFound(string[] arguments)
    {
        var result = (string[])arguments.Clone();
        for (int i = 0; i + 1 < result.Length; i++)
        {
            if (result[i] != "--data" || File.Exists(result[i + 1]) || Directory.Exists(result[i + 1])) continue;
            var entry = RecurrentSharp.Data.DatasetCatalog.Files.FirstOrDefault(f => Path.GetFileName(f.RelativePath) == result[i + 1]);
            if (entry is not null) result[i + 1] = new RecurrentSharp.Data.DatasetCache(downloader: new RecurrentSharp.Data.HttpFileDownloader()).Resolve(entry.RelativePath);
        }
        return result;
    }

    /// <summary>A figure with as many digits as README gives.</summary>
    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>The headline value, or a named numeric figure of the result.</summary>
    private static double Figure(TaskResult result, string name) =>
        name == "value" ? result.Value
        : result.Figures.TryGetValue(name, out var v) && v is IConvertible c ? c.ToDouble(CultureInfo.InvariantCulture)
        : throw new TaskUsageException($"{result.Task}'s result has no figure '{name}'.");
}
