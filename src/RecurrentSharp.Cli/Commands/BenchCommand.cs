using System.CommandLine;
using System.Text.Json;
using RecurrentSharp.Cli.Bench;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Cli.Commands;

/// <summary>
/// <c>rnn bench peak|gemm|rnn|seq2seq|ctc|gates [--json]</c>: speed measurements. gemm and rnn first measure the FMA peak at each
/// thread count (in the same window as the rows, so machine load affects both alike) and give every row its
/// share of it.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the speed of the kernels and layers.");
        var json = new Option<bool>("--json") { Description = "Print one JSON array on standard output instead of a table." };
        var threads = new Option<int[]>("--threads") { Description = "Thread counts to measure (default: 1 and 2).", AllowMultipleArgumentsPerToken = true };

        var peak = new Command("peak", "The machine's FP32 FMA peak: a register-resident FMA loop (Vector512, or Vector256 without AVX-512) at 1 and 2 threads.");
        peak.Options.Add(json);
        peak.Options.Add(threads);
        peak.SetAction(parse =>
        {
            var results = PeakBenchmark.Run(ThreadCounts(parse.GetValue(threads)), progress: line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = "fma-peak", threads = r.Threads, vectorBits = r.VectorBits, accumulators = PeakBenchmark.Accumulators,
                    gflops = Math.Round(r.Gflops, 2),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"threads",7} {"vector",7} {"GFLOP/s",9}");
                foreach (var r in results) Console.WriteLine($"{r.Threads,7} {r.VectorBits,7} {r.Gflops,9:F1}");
            }
            return 0;
        });
        bench.Subcommands.Add(peak);

        var gemm = new Command("gemm", "Matrix multiply: square sizes and the shapes recurrent layers use, at 1 and 2 threads.");
        gemm.Options.Add(json);
        gemm.Options.Add(threads);
        gemm.SetAction(parse =>
        {
            var counts = ThreadCounts(parse.GetValue(threads));
            bool asJson = parse.GetValue(json);
            var peaks = MeasurePeaks(counts);
            var results = GemmBenchmark.Run(counts, peaks, line => Console.Error.WriteLine(line));
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = r.Name, m = r.M, n = r.N, k = r.K, threads = r.Threads,
                    ms = Math.Round(r.Ms, 4), gflops = Math.Round(r.Gflops, 2),
                    peakGflops = Math.Round(PeakBenchmark.PeakFor(peaks, r.Threads), 2), percentOfPeak = Math.Round(r.PercentOfPeak, 1),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"name",-20} {"m",6} {"n",6} {"k",6} {"threads",7} {"ms",10} {"GFLOP/s",9} {"% peak",7}");
                foreach (var r in results)
                    Console.WriteLine($"{r.Name,-20} {r.M,6} {r.N,6} {r.K,6} {r.Threads,7} {r.Ms,10:F3} {r.Gflops,9:F1} {r.PercentOfPeak,7:F1}");
            }
            return 0;
        });
        bench.Subcommands.Add(gemm);

        var only = new Option<string[]>("--config")
        {
            Description = $"Only these configurations ({string.Join(", ", RnnBenchmark.Configs.Select(c => c.Name))}).",
            AllowMultipleArgumentsPerToken = true,
        };
        var rnn = new Command("rnn", "Fused LSTM/GRU/RNN layers in inference and training mode on fixed configurations.");
        rnn.Options.Add(json);
        rnn.Options.Add(threads);
        rnn.Options.Add(only);
        rnn.SetAction(parse =>
        {
            var counts = ThreadCounts(parse.GetValue(threads));
            var names = parse.GetValue(only);
            var unknown = names?.Where(n => RnnBenchmark.Configs.All(c => c.Name != n)).ToArray() ?? [];
            if (unknown.Length > 0)
                throw new ArgumentException($"unknown configuration '{unknown[0]}' (known: {string.Join(", ", RnnBenchmark.Configs.Select(c => c.Name))})");
            var peaks = MeasurePeaks(counts);
            var results = RnnBenchmark.Run(counts, names, peaks, line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = r.Config.Name, cell = r.Config.Cell, mode = r.Mode, batch = r.Config.Batch, seq = r.Config.Seq, input = r.Config.Input,
                    hidden = r.Config.Hidden, layers = r.Config.Layers, bidirectional = r.Config.Bidirectional, minLength = r.Config.MinLength,
                    threads = r.Threads, ms = Math.Round(r.Ms, 4), gflops = Math.Round(r.Gflops, 2),
                    peakGflops = Math.Round(PeakBenchmark.PeakFor(peaks, r.Threads), 2), percentOfPeak = Math.Round(r.PercentOfPeak, 1),
                    peakHeapMb = r.PeakHeapMb is { } heap ? Math.Round(heap, 2) : (double?)null,
                    keptMb = r.KeptMb is { } kept ? Math.Round(kept, 2) : (double?)null,
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"name",-14} {"cell",-5} {"mode",-6} {"B",4} {"T",4} {"I",5} {"H",5} {"L",2} {"D",2} {"threads",7} {"ms",10} {"GFLOP/s",8} {"% peak",7} {"heap MB",8}");
                foreach (var r in results)
                {
                    var c = r.Config;
                    string heap = r.PeakHeapMb is { } mb ? mb.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "";
                    Console.WriteLine($"{c.Name,-14} {c.Cell,-5} {r.Mode,-6} {c.Batch,4} {c.Seq,4} {c.Input,5} {c.Hidden,5} {c.Layers,2} {(c.Bidirectional ? 2 : 1),2} {r.Threads,7} {r.Ms,10:F3} {r.Gflops,8:F1} {r.PercentOfPeak,7:F1} {heap,8}");
                }
            }
            return 0;
        });
        bench.Subcommands.Add(rnn);

        var seq2seq = new Command("seq2seq", "Seq2seq training steps (the translation model's shape) with and without attention.");
        seq2seq.Options.Add(json);
        seq2seq.Options.Add(threads);
        seq2seq.SetAction(parse =>
        {
            var results = Seq2SeqBenchmark.Run(ThreadCounts(parse.GetValue(threads)), line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    attention = r.Attention, batch = r.Batch, source_steps = r.SourceSteps, target_steps = r.TargetSteps, threads = r.Threads,
                    ms = Math.Round(r.Ms, 3), tokens_per_second = Math.Round(r.TokensPerSecond, 1), relative_to_none = Math.Round(r.RelativeToNone, 3),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"attention",-14} {"B",4} {"S",4} {"T",4} {"threads",7} {"ms",10} {"tokens/s",10} {"x none",7}");
                foreach (var r in results)
                    Console.WriteLine($"{r.Attention,-14} {r.Batch,4} {r.SourceSteps,4} {r.TargetSteps,4} {r.Threads,7} {r.Ms,10:F1} {r.TokensPerSecond,10:F0} {r.RelativeToNone,7:F2}");
            }
            return 0;
        });
        bench.Subcommands.Add(seq2seq);
        var ctc = new Command("ctc", "CTC loss + gradient on (T=200, N=32, C=29, S=40) and (T=50, N=64, C=12, S=6).");
        ctc.Options.Add(json);
        ctc.Options.Add(threads);
        ctc.SetAction(parse =>
        {
            var results = CtcBenchmark.Run(ThreadCounts(parse.GetValue(threads)), line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = r.Name, t = r.T, n = r.N, c = r.C, s = r.S, threads = r.Threads, ms = Math.Round(r.Ms, 4),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"name",-12} {"T",4} {"N",4} {"C",4} {"S",4} {"threads",7} {"ms",10}");
                foreach (var r in results)
                    Console.WriteLine($"{r.Name,-12} {r.T,4} {r.N,4} {r.C,4} {r.S,4} {r.Threads,7} {r.Ms,10:F3}");
            }
            return 0;
        });
        bench.Subcommands.Add(ctc);
        var gates = new Command("gates", "The fused gate kernels alone (LSTM forward and backward, GRU forward) on one thread, over B rows of H units: one step's element-wise work at the rnn configurations' sizes.");
        gates.Options.Add(json);
        gates.SetAction(parse =>
        {
            KernelThreads.Count = 1;
            var results = GateBenchmark.Run(line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    kernel = r.Kernel, b = r.Batch, h = r.Hidden, microseconds = Math.Round(r.Microseconds, 3), nsPerUnit = Math.Round(r.NanosecondsPerUnit, 3),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"kernel",-14} {"B",4} {"H",5} {"µs/step",9} {"ns/unit",8}");
                foreach (var r in results)
                    Console.WriteLine($"{r.Kernel,-14} {r.Batch,4} {r.Hidden,5} {r.Microseconds,9:F2} {r.NanosecondsPerUnit,8:F2}");
            }
            return 0;
        });
        bench.Subcommands.Add(gates);
        var cnn = new Command("cnn", "ResNet-18 (the DnnImageFeaturizer package's ResNet18.onnx) on one 224x224 image: latency (products over the threads) and throughput (an image per thread).");
        var beside = new Option<string?>("--onnxruntime") { Description = "The JSON of `dotnet run -c Release --project bench/onnxruntime -- cnn --json`, to print ONNX Runtime's images/s and the ratio beside ours." };
        cnn.Options.Add(json);
        cnn.Options.Add(threads);
        cnn.Options.Add(beside);
        var layers = new Option<bool>("--layers") { Description = "Instead: each step's milliseconds and GFLOP/s (one image at a time on the first --threads count), on standard error." };
        cnn.Options.Add(layers);
        cnn.SetAction(parse =>
        {
            if (parse.GetValue(layers))
            {
                CnnBenchmark.Layers(ThreadCounts(parse.GetValue(threads))[0], 20, line => Console.Error.WriteLine(line));
                return 0;
            }
            // ONNX Runtime's figures are read first, so that a wrong file fails before the benchmark runs.
            var ort = parse.GetValue(beside) is { } path ? ReadOnnxRuntimeCnn(path) : [];
            var results = CnnBenchmark.Run(ThreadCounts(parse.GetValue(threads)), line => Console.Error.WriteLine(line));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    name = r.Name, mode = r.Mode, threads = r.Threads, ms_per_image = Math.Round(r.MsPerImage, 3), images_per_s = Math.Round(r.ImagesPerSecond, 2),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"name",-9} {"mode",-10} {"threads",7} {"ms/image",9} {"images/s",9} {"ORT img/s",9} {"x ORT",6}");
                foreach (var r in results)
                {
                    string other = ort.TryGetValue((r.Mode, r.Threads), out var o) ? $"{o,9:F1} {r.ImagesPerSecond / o,6:F2}" : $"{"",9} {"",6}";
                    Console.WriteLine($"{r.Name,-9} {r.Mode,-10} {r.Threads,7} {r.MsPerImage,9:F1} {r.ImagesPerSecond,9:F1} {other}");
                }
            }
            return 0;
        });
        bench.Subcommands.Add(cnn);
        return bench;
    }

    /// <summary>The FMA peak at each thread count, printed on standard error so it stays beside the rows it scales.</summary>
    private static List<PeakResult> MeasurePeaks(IReadOnlyList<int> counts)
    {
        var peaks = PeakBenchmark.Run(counts);
        foreach (var p in peaks) Console.Error.WriteLine($"FMA peak threads={p.Threads}: {p.Gflops:F1} GFLOP/s (Vector{p.VectorBits})");
        return peaks;
    }

    private static int[] ThreadCounts(int[]? requested)
    {
        if (requested is { Length: > 0 }) return requested;
        return Environment.ProcessorCount >= 2 ? [1, 2] : [1];
    }

    /// <summary>
    /// The images/s of each (mode, threads) row of bench/onnxruntime's `cnn --json` output; anything else in the file
    /// (build messages from `dotnet run` redirected with it, a truncated file) is an error naming the file.
    /// </summary>
    private static Dictionary<(string Mode, int Threads), double> ReadOnnxRuntimeCnn(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.EnumerateArray()
                .ToDictionary(e => (e.GetProperty("mode").GetString()!, e.GetProperty("threads").GetInt32()), e => e.GetProperty("images_per_s").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"{path} is not the JSON of `dotnet run -c Release --project bench/onnxruntime -- cnn --json` " +
                $"(an array of rows with mode, threads and images_per_s; run it with --json and only standard output redirected): {e.Message}", e);
        }
    }
}
