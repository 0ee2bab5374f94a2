// ONNX Runtime timing of models exported by torch.onnx.export (export.py); the same median-of-runs method as rnn bench.
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
var configs = new (string Name, int B, int T, int I)[] {
    ("mnist-rows", 50, 28, 28), ("medium-lstm", 64, 100, 128), ("medium-gru", 64, 100, 128), ("medium-rnn", 64, 100, 128),
    ("deep", 32, 50, 512), ("deep-gru", 32, 50, 512), ("deep-rnn", 32, 50, 512), ("latency", 1, 100, 128), ("wide", 16, 25, 1024) };
string folder = args.Length > 0 ? args[0] : "/tmp/speed-onnx";
var only = args.Length > 1 ? args.Skip(1).ToHashSet() : null;
var rows = new List<string>();
foreach (var (name, b, t, inp) in configs)
{
    if (only is not null && !only.Contains(name)) continue;
    foreach (int threads in new[] { 1, 2 })
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(Path.Combine(folder, $"{name}.onnx"), options);
        var rnd = new Random(1);
        var x = new DenseTensor<float>(Enumerable.Range(0, t * b * inp).Select(_ => (float)rnd.NextDouble() - 0.5f).ToArray(), new[] { t, b, inp });
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", x) };
        void Run() { using var r = session.Run(inputs); }
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.Elapsed.TotalSeconds < 1.0; i++) Run();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 10 || (times.Count < 200 && total.Elapsed.TotalSeconds < 0.5))
        {
            long s = Stopwatch.GetTimestamp(); Run(); times.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
        }
        times.Sort();
        int n = times.Count;
        double ms = n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
        rows.Add($"{{\"name\": \"{name}\", \"mode\": \"infer\", \"threads\": {threads}, \"ms\": {ms:F4}}}");
        Console.Error.WriteLine($"ort {name} threads={threads} {ms:F3} ms");
    }
}
Console.WriteLine("[\n  " + string.Join(",\n  ", rows) + "\n]");
