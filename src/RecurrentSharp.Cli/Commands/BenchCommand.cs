using System.CommandLine;
using System.Text.Json;
using RecurrentSharp.Cli.Bench;

namespace RecurrentSharp.Cli.Commands;

/// <summary><c>rnn bench gemm|rnn [--json]</c>: speed measurements.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the speed of the kernels and layers.");
        var json = new Option<bool>("--json") { Description = "Print one JSON array on standard output instead of a table." };
        var threads = new Option<int[]>("--threads") { Description = "Thread counts to measure (default: 1 and 2).", AllowMultipleArgumentsPerToken = true };

        var gemm = new Command("gemm", "Matrix multiply: square sizes and the shapes recurrent layers use, at 1 and 2 threads.");
        gemm.Options.Add(json);
        gemm.Options.Add(threads);
        gemm.SetAction(parse =>
        {
            var counts = ThreadCounts(parse.GetValue(threads));
            bool asJson = parse.GetValue(json);
            var results = GemmBenchmark.Run(counts, line => Console.Error.WriteLine(line));
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = r.Name, m = r.M, n = r.N, k = r.K, threads = r.Threads,
                    ms = Math.Round(r.Ms, 4), gflops = Math.Round(r.Gflops, 2),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"name",-20} {"m",6} {"n",6} {"k",6} {"threads",7} {"ms",10} {"GFLOP/s",9}");
                foreach (var r in results)
                    Console.WriteLine($"{r.Name,-20} {r.M,6} {r.N,6} {r.K,6} {r.Threads,7} {r.Ms,10:F3} {r.Gflops,9:F1}");
            }
            return 0;
        });
        bench.Subcommands.Add(gemm);
        return bench;
    }

    private static int[] ThreadCounts(int[]? requested)
    {
        if (requested is { Length: > 0 }) return requested;
        return Environment.ProcessorCount >= 2 ? [1, 2] : [1];
    }
}
