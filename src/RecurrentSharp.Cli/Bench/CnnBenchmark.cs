using System.Diagnostics;
using System.Runtime.InteropServices;
using RecurrentSharp.Kernels;
using RecurrentSharp.Models.Vision;
using RecurrentSharp.Tasks.Captions;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured CNN configuration.</summary>
/// <param name="Mode">"latency": one image at a time, its products split over the threads; "throughput": one image per thread.</param>
/// <param name="Threads">Threads used.</param>
/// <param name="MsPerImage">Wall milliseconds per image (median of runs for latency; total / images for throughput).</param>
internal sealed record CnnResult(string Name, string Mode, int Threads, double MsPerImage)
{
    public double ImagesPerSecond => 1000 / MsPerImage;
}

/// <summary>
/// Times our ResNet-18 (the package's ResNet18.onnx in a <see cref="FrozenConvNet"/>) on a preprocessed 224 x 224 input:
/// the network alone, without decoding; bench/onnxruntime's <c>cnn</c> mode times ONNX Runtime on the same file the
/// same two ways, with the same JSON fields.
/// </summary>
internal static class CnnBenchmark
{
    /// <summary>Images per throughput run, per thread.</summary>
    public const int ThroughputImagesPerThread = 16;

    public static List<CnnResult> Run(int[] threadCounts, Action<string> log)
    {
        var network = PretrainedResNet.Load().Network;
        var random = new RandomGenerator(1);
        var input = Tensor.RandomUniform(random, -120f, 140f, network.InputShape.Size).ToArray();
        var results = new List<CnnResult>();
        foreach (int threads in threadCounts)
        {
            KernelThreads.Count = threads;
            var workspace = network.CreateWorkspace();
            double latency = BenchmarkTimer.MedianMilliseconds(() => network.Run(input, workspace), warmup: 2, minRuns: 5, maxRuns: 50, minSeconds: 2);
            results.Add(new CnnResult("resnet18", "latency", threads, latency));
            log($"resnet18 latency threads={threads}: {latency:F1} ms/image ({1000 / latency:F1} images/s)");
            int count = ThroughputImagesPerThread * threads;
            network.RunBatch(threads, (_, x) => input.CopyTo(x), (_, _) => { });   // warm-up
            var clock = Stopwatch.StartNew();
            network.RunBatch(count, (_, x) => input.CopyTo(x), (_, _) => { });
            double perImage = clock.Elapsed.TotalMilliseconds / count;
            results.Add(new CnnResult("resnet18", "throughput", threads, perImage));
            log($"resnet18 throughput threads={threads}: {perImage:F1} ms/image ({1000 / perImage:F1} images/s)");
        }
        return results;
    }

    /// <summary>
    /// Times every step of the network over <paramref name="images"/> images (products split over
    /// <paramref name="threads"/>) and prints each step's milliseconds per image and GFLOP/s, so the slow layers show
    /// against the FMA peak. With one thread the clock is the thread's CPU time, so other processes on a shared
    /// machine take less out of the figures (they still share the caches); with more it is wall time.
    /// </summary>
    public static void Layers(int threads, int images, Action<string> log)
    {
        Func<long> clock = threads == 1 && OperatingSystem.IsLinux() ? ThreadCpuNanoseconds : () => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        var network = PretrainedResNet.Load().Network;
        var random = new RandomGenerator(1);
        var input = Tensor.RandomUniform(random, -120f, 140f, network.InputShape.Size).ToArray();
        KernelThreads.Count = threads;
        var workspace = network.CreateWorkspace();
        var ticks = new long[network.Steps.Count];
        for (int i = 0; i < 3; i++) network.Run(input, workspace, ticks, clock);   // warm-up
        Array.Clear(ticks);
        for (int i = 0; i < images; i++) network.Run(input, workspace, ticks, clock);
        double total = 0;
        log($"{"step",4} {"what",-44} {"ms",8} {"GFLOP/s",8}");
        for (int s = 0; s < ticks.Length; s++)
        {
            double ms = ticks[s] / 1e6 / images;
            total += ms;
            long flops = network.Steps[s].Flops(network.Shapes);
            log($"{s,4} {network.Steps[s].Describe(network.Shapes),-44} {ms,8:F3} {(flops > 0 ? $"{flops / (ms * 1e6),8:F1}" : ""),8}");
        }
        long all = network.Steps.Sum(st => st.Flops(network.Shapes));
        log($"total {total:F2} ms/image, {all / 1e9:F3} GFLOP, {all / (total * 1e6):F1} GFLOP/s, threads={threads} ({(threads == 1 && OperatingSystem.IsLinux() ? "thread CPU time" : "wall time")})");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CLOCK_THREAD_CPUTIME_ID (3 on Linux): CPU time of the calling thread.</summary>
    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(3, out var t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }
}
