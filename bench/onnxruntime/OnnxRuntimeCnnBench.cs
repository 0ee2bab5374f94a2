// ONNX Runtime on the DnnImageFeaturizer package's ResNet18.onnx, the file `rnn bench cnn` runs in our FrozenConvNet:
// the same random 224x224 input, the same two modes (latency: one image at a time on IntraOpNumThreads = threads;
// throughput: `threads` images at once, one Run per thread on a single-threaded session) and the same JSON fields.
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecurrentSharp.Cli.Bench;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Tasks.Captions;

internal static class OnnxRuntimeCnnBench
{
    public static void Run(bool json, int[] threadCounts)
    {
        var (path, _) = PretrainedResNet.Locate();
        byte[] model = File.ReadAllBytes(path);
        string inputName = OnnxReader.Read(model, path).Graph.Inputs[0].Name;
        var random = new RecurrentSharp.Tensors.RandomGenerator(1);
        var input = RecurrentSharp.Tensors.Tensor.RandomUniform(random, -120f, 140f, 3 * 224 * 224).ToArray();
        var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(input, [1, 3, 224, 224])) };
        var results = new List<object>();
        foreach (int threads in threadCounts)
        {
            using (var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL })
            using (var session = new InferenceSession(model, options))
            {
                double ms = BenchmarkTimer.MedianMilliseconds(() => { using var o = session.Run(feeds); }, warmup: 2, minRuns: 5, maxRuns: 50, minSeconds: 2);
                Add("latency", threads, ms);
            }
            using (var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL })
            using (var session = new InferenceSession(model, options))
            {
                int count = CnnBenchmark.ThroughputImagesPerThread * threads;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => { using var o = session.Run(feeds); });
                var clock = Stopwatch.StartNew();
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => { using var o = session.Run(feeds); });
                Add("throughput", threads, clock.Elapsed.TotalMilliseconds / count);
            }
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

        void Add(string mode, int threads, double ms)
        {
            results.Add(new { name = "resnet18", mode, threads, ms_per_image = Math.Round(ms, 3), images_per_s = Math.Round(1000 / ms, 2) });
            Console.Error.WriteLine($"onnxruntime resnet18 {mode} threads={threads}: {ms:F1} ms/image ({1000 / ms:F1} images/s)");
        }
    }
}
