using RecurrentSharp.Fuzz;
using SharpFuzz;

// One fuzz target per process: `dotnet RecurrentSharp.Fuzz.dll TARGET` under afl-fuzz (see fuzz/run.sh), or
// `dotnet RecurrentSharp.Fuzz.dll TARGET FILE...` to replay inputs by hand (prints each outcome).
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: RecurrentSharp.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

if (args.Length > 1)
{
    int failures = 0;
    foreach (string file in args[1..])
    {
        string copy = InputFile.Create();
        File.Copy(file, copy, overwrite: true);
        try
        {
            target(copy);
            Console.WriteLine($"{file}: read");
        }
        catch (RecurrentSharp.RecurrentSharpException e)
        {
            Console.WriteLine($"{file}: refused: {e.Message.Split('\n')[0]}");
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"{file}: FINDING {e}");
        }
    }
    return failures == 0 ? 0 : 1;
}

string input = InputFile.Create();
Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(input)) stream.CopyTo(file);
    try
    {
        target(input);
    }
    catch (RecurrentSharp.RecurrentSharpException)
    {
        // The named bad-input error: the expected answer to a broken file.
    }
});
return 0;

/// <summary>The per-process file an input is written to (in /dev/shm when there is one: no disk I/O per execution).</summary>
static class InputFile
{
    public static string Create()
    {
        string folder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string dir = Path.Combine(folder, $"rnn-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "input");
    }
}
