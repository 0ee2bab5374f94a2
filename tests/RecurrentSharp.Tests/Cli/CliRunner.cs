using System.Text.Json;

namespace RecurrentSharp.Tests.Cli;

/// <summary>
/// Runs the <c>rnn</c> command in-process with standard output and error captured. Console redirection is
/// process-wide, so every test that uses it belongs to the "Console" collection, which runs alone.
/// </summary>
internal static class CliRunner
{
    public sealed record Outcome(int ExitCode, string StdOut, string StdErr)
    {
        /// <summary>Standard output parsed as exactly one JSON object.</summary>
        public JsonElement Json()
        {
            using var doc = JsonDocument.Parse(StdOut);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            return doc.RootElement.Clone();
        }
    }

    public static Outcome Run(params string[] args) => RunWithInput(null, args);

    public static Outcome RunWithInput(string? stdin, params string[] args)
    {
        var (oldOut, oldErr, oldIn) = (Console.Out, Console.Error, Console.In);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        try
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            if (stdin is not null) Console.SetIn(new StringReader(stdin));
            Environment.SetEnvironmentVariable("RNN_DATA", SharedFolder.DataRoot);
            int code = RecurrentSharp.Cli.Program.Main(args);
            return new Outcome(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Console.SetIn(oldIn);
        }
    }
}

/// <summary>Tests that redirect the console run one at a time.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
