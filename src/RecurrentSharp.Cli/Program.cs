using System.CommandLine;
using RecurrentSharp.Cli.Commands;

namespace RecurrentSharp.Cli;

/// <summary>The <c>rnn</c> command.</summary>
public static class Program
{
    /// <summary>Parses the arguments and runs the chosen command; returns the exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("RecurrentSharp: train, evaluate, benchmark and sample recurrent neural networks.");
        root.Subcommands.Add(TaskCommands.Tasks());
        root.Subcommands.Add(TaskCommands.Train());
        root.Subcommands.Add(TaskCommands.Eval());
        root.Subcommands.Add(TaskCommands.Predict());
        root.Subcommands.Add(TaskCommands.Generate());
        root.Subcommands.Add(TaskCommands.Info());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Errors about the user's input or environment: reported as a message, never a stack trace.</summary>
    private static bool IsUserFacing(Exception e) =>
        e is RecurrentSharpException or IOException or UnauthorizedAccessException or ArgumentException or OperationCanceledException;
}
