// Times ONNX Runtime (CPU) on the layers of `rnn bench rnn`, exported by OnnxExporter, with the same
// configurations, inputs, median-of-runs timer and JSON fields, so both can be put side by side:
//   dotnet run -c Release --project bench/onnxruntime -- --json [--threads 1,2] [--config medium-lstm,deep]
// and, with `cnn` first, ResNet-18 as `rnn bench cnn` times ours (OnnxRuntimeCnnBench.cs).
// Inference only (ONNX Runtime does not train); mode is "infer"; the peak and heap fields of `rnn bench rnn` are left out.
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecurrentSharp.Cli.Bench;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Recurrent;
using RandomGenerator = RecurrentSharp.Tensors.RandomGenerator;

bool json = args.Contains("--json");
if (args.Length > 0 && args[0] == "cnn")
{
    OnnxRuntimeCnnBench.Run(json, Value("--threads")?.Split(',').Select(int.Parse).ToArray() ?? [1, 2]);
    return;
}
int[] threadCounts = Value("--threads")?.Split(',').Select(int.Parse).ToArray() ?? [1, 2];
var only = Value("--config")?.Split(',').ToHashSet();
var results = new List<object>();
foreach (var config in RnnBenchmark.Configs)
{
    if (only is not null && !only.Contains(config.Name)) continue;
    var (name, cell, batch, seq, input, hidden, layers) = (config.Name, config.Cell, config.Batch, config.Seq, config.Input, config.Hidden, config.Layers);
    var random = new RandomGenerator(1);
    var layer = RecurrentLayer.Create(CellSpec.Parse(cell), input, hidden, layers, bidirectional: config.Bidirectional, random: random);
    var x = RecurrentSharp.Tensors.Tensor.RandomNormal(random, 0, 1, seq, batch, input);
    var lengths = config.Lengths();
    var model = OnnxWriter.ToArray(OnnxExporter.Export(layer, withLengths: lengths is not null));
    double flops = RnnBenchmark.Flops(config, "infer");
    foreach (int threads in threadCounts)
    {
        Console.Error.WriteLine($"onnxruntime {name} infer threads={threads}");
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(model, options);
        var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x.ToArray(), [seq, batch, input])) };
        if (lengths is not null) feeds.Add(NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<int>(lengths, [batch])));
        double ms = BenchmarkTimer.MedianMilliseconds(() =>
        {
            using var outputs = session.Run(feeds);
        });
        results.Add(new
        {
            name, cell, mode = "infer", batch, seq, input, hidden, layers, bidirectional = config.Bidirectional, minLength = config.MinLength,
            threads, ms = Math.Round(ms, 4), gflops = Math.Round(flops / (ms * 1e6), 2),
        });
        if (!json) Console.WriteLine($"{name,-14} {cell,-5} infer {batch,4} {seq,4} {input,5} {hidden,5} {layers,2} {threads,7} {ms,10:F3} {flops / (ms * 1e6),8:F1}");
    }
}
if (json) Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

string? Value(string option)
{
    int i = Array.IndexOf(args, option);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
