using System.Diagnostics;
using System.Text;

namespace RecurrentSharp.Tests.Training.Distributed;

/// <summary>
/// Runs the built <c>rnn</c> command (rnn.dll beside the test assembly) as child processes: alone, or as the
/// ranks of an MPICH job started with <c>mpirun.mpich -np N</c> (Debian's MPICH launcher, hydra; .ci/run installs it).
/// </summary>
internal sealed class MpiJob : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new(), stderr = new();

    private MpiJob(string file, IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["RNN_DATA"] = SharedFolder.DataRoot;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The MPICH launcher; the tests fail (naming the packages) when it is not installed.</summary>
    public static string Launcher
    {
        get
        {
            const string path = "/usr/bin/mpirun.mpich";
            Assert.True(File.Exists(path), $"{path} is missing: the distributed tests need MPICH (apt-get install -y mpich libmpich-dev; .ci/run installs it).");
            return path;
        }
    }

    private static string Rnn => Path.Combine(AppContext.BaseDirectory, "rnn.dll");

    /// <summary><c>mpirun.mpich -np ranks dotnet rnn.dll ARGS</c>.</summary>
    public static MpiJob Ranks(int ranks, string workingDirectory, params string[] arguments) =>
        new(Launcher, ["-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", Rnn, .. arguments], workingDirectory);

    /// <summary><c>dotnet rnn.dll ARGS</c>, one process without MPI.</summary>
    public static MpiJob Alone(string workingDirectory, params string[] arguments) => new("dotnet", [Rnn, .. arguments], workingDirectory);

    public string StdOut { get { lock (stdout) return stdout.ToString(); } }

    public string StdErr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Waits for the job to end; kills it and fails when it takes longer than <paramref name="limit"/>.</summary>
    public int Wait(TimeSpan limit)
    {
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the job did not end within {limit.TotalSeconds} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Waits until standard error holds a line matching <paramref name="pattern"/>; returns the match.</summary>
    public System.Text.RegularExpressions.Match WaitForError(string pattern, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var regex = new System.Text.RegularExpressions.Regex(pattern);
        while (clock.Elapsed < limit)
        {
            var match = regex.Match(StdErr);
            if (match.Success) return match;
            if (process.HasExited) break;
            Thread.Sleep(50);
        }
        Assert.Fail($"no line matching '{pattern}' within {limit.TotalSeconds} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        return null!;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
