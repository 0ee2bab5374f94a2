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
        root.Subcommands.Add(BenchCommand.Create());
        return root.Parse(args).Invoke();
    }
}
