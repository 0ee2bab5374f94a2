using System.Diagnostics;
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
}
