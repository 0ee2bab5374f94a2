using System.CommandLine;
using RecurrentSharp.Cli.Display;
using RecurrentSharp.Cli.Reports;
using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Cli.Commands;

/// <summary><c>rnn demo [NAME] [--json] [--report FILE]</c>: the worked examples, computed by the library.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "The demo to run; without one, the list of demos.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the demo's numbers as one JSON object on standard output (the tables go to standard error)." };
        var report = new Option<string?>("--report") { Description = "Also write the demo as an HTML page with its tables and charts." };
        var command = new Command("demo", "Worked examples of recurrent networks, step by step: " + string.Join(", ", DemoCatalog.All.Select(d => d.Name)) + ".");
        command.Arguments.Add(name);
        command.Options.Add(json);
        command.Options.Add(report);
        command.SetAction(parse =>
        {
            if (parse.GetValue(name) is not { } chosen)
            {
                foreach (var demo in DemoCatalog.All) Console.WriteLine($"{demo.Name,-13} {demo.Summary}");
                Console.WriteLine("run one with: rnn demo NAME [--json] [--report FILE]");
                return 0;
            }
            var result = DemoCatalog.Find(chosen).Run();
            bool asJson = parse.GetValue(json);
            DemoPrinter.Print(result, asJson ? Console.Error : Console.Out);
            if (asJson) Console.Out.WriteLine(DemoPrinter.Json(result));
            if (parse.GetValue(report) is { } path)
            {
                DemoReport.Write(path, result);
                Console.Error.WriteLine($"report written to {path}");
            }
            return 0;
        });
        return command;
    }
}
