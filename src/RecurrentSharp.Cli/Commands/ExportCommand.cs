using RecurrentSharp.Models;
using System.CommandLine;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Cli.Commands;

/// <summary><c>rnn export MODEL.safetensors -o model.onnx</c>: a saved task model as an ONNX graph.</summary>
public static class ExportCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by `rnn train`." };
        var output = new Option<string?>("--output", "-o") { Description = "The ONNX file to write (default: the model's name with .onnx). A seq2seq model writes NAME.encoder.onnx and NAME.decoder.onnx." };
        var command = new Command("export", "Export a saved model to ONNX (opset 14) for ONNX Runtime and other ONNX consumers.");
        command.Arguments.Add(model);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var saved = SavedModel.Load(path);
            var network = TaskCatalog.Find(saved.Task).LoadNetwork(saved);
            string target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".onnx");
            if (network is Seq2Seq seq2seq)
            {
                var graphs = OnnxExporter.Export(seq2seq);
                string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, Path.GetFileNameWithoutExtension(target));
                Write(graphs.Encoder, stem + ".encoder.onnx");
                Write(graphs.DecoderStep, stem + ".decoder.onnx");
                Console.WriteLine("decode by feeding the begin token and the encoder's state to the decoder step, then each chosen token and the returned state; " +
                    "reverse the source tokens first when the model's config says ReverseSource.");
            }
            else Write(OnnxExporter.Export(network), target);
            return 0;
        });
        return command;
    }

    private static void Write(OnnxModel onnx, string path)
    {
        OnnxWriter.Write(onnx, path);
        static string Describe(IEnumerable<OnnxValueInfo> values) => string.Join(", ", values.Select(v =>
            $"{v.Name} {v.ElementType.ToString().ToLowerInvariant()} ({string.Join(", ", v.Shape?.Select(d => d.Param ?? d.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?") ?? [])})"));
        Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes, opset {onnx.DefaultOpsetVersion}, {onnx.Graph.Nodes.Count} nodes)");
        Console.WriteLine($"  inputs:  {Describe(onnx.Graph.Inputs)}");
        Console.WriteLine($"  outputs: {Describe(onnx.Graph.Outputs)}");
    }
}
