using System.Text.Json;
using RecurrentSharp.Tensors;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tests.Formats.Onnx;

namespace RecurrentSharp.Tests.Interop.Onnx;

/// <summary>
/// Every torch.onnx.export fixture (shared/fixtures/onnx, or RNN_ONNX_FIXTURES) imports into our layers with
/// the PyTorch state dict recovered bit for bit, and reproduces torch's stored outputs within
/// 1e-5 · max(1, max|ref|) (fixtures README §11.6); our own exports import back to the same weights.
/// </summary>
public class OnnxImportTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        if (Directory.Exists(OnnxFixture.Root))
            foreach (var f in Directory.EnumerateFiles(OnnxFixture.Root, "*.onnx").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void The_fixture_folder_holds_onnx_fixtures() =>
        Assert.True(Fixtures().Count > 0, $"no *.onnx fixture in {OnnxFixture.Root}");

    private static void Close(SafetensorsFile file, string name, Tensor actual)
    {
        var expected = file[name].ToTensor();
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{name}: shape {TensorShape.Format(actual.Shape)}, torch {TensorShape.Format(expected.Shape)}");
        double scale = Math.Max(1, expected.ToArray().Max(v => Math.Abs((double)v)));
        TensorAssert.Close(expected, actual, 1e-5 * scale, name);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_pytorch_export_imports_and_reproduces_torchs_outputs(string file)
    {
        var imported = OnnxImporter.Import(Path.Combine(OnnxFixture.Root, file));
        var fx = OnnxFixture.Load(file);
        var paramNames = JsonSerializer.Deserialize<string[]>(fx.Metadata["param_names"])!;
        var ours = imported.Network.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (string name in paramNames)
        {
            string mine = name.Replace("lstm.", "encoder.").Replace("fc.", "head.");
            Assert.True(ours.ContainsKey(mine), $"{file}: no parameter {mine} for torch's {name}");
            Assert.Equal(fx[name].ToFloat32Array(), ours[mine].ToArray());   // the gate permutation undone exactly
        }
        using var noGrad = new NoGradScope();
        if (imported.Network is SequenceClassifier classifier)
        {
            var tokens = fx["tokens"];
            int batch = tokens.Shape[0], steps = tokens.Shape[1];
            var ids = tokens.ToInt64Array().Select(v => (int)v).ToArray();
            var logits = classifier.Forward(PaddedSequences.FromSequences(Enumerable.Range(0, batch).Select(b => (IReadOnlyList<int>)ids[(b * steps)..((b + 1) * steps)]).ToArray()));
            Assert.True(imported.Softmax);
            Close(fx, imported.Outputs[0], logits.Softmax(-1));
            return;
        }
        var layer = imported.Recurrent;
        var result = layer.Forward(fx[imported.Input].ToTensor(),
            imported.InitialHidden is { } h0 ? fx[h0].ToTensor() : null,
            imported.InitialCell is { } c0 ? fx[c0].ToTensor() : null);
        Assert.Equal(fx.Metadata["has_h0"] == "true", imported.InitialHidden is not null);
        Close(fx, imported.Outputs[0], result.Output);
        Close(fx, imported.Outputs[1], result.Hidden);
        if (result.Cell is not null) Close(fx, imported.Outputs[2], result.Cell);
    }

    public static TheoryData<string, bool, bool, bool> OwnExports()
    {
        var data = new TheoryData<string, bool, bool, bool>();
        foreach (var cell in new[] { "rnn-tanh", "rnn-relu", "rnn-identity", "lstm", "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled", "gru", "gru-cho" })
        {
            data.Add(cell, false, false, false);
            data.Add(cell, true, true, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OwnExports))]
    public void Our_own_export_imports_back_to_the_same_layer(string cellName, bool bidirectional, bool withLengths, bool withState)
    {
        var random = new RandomGenerator(21);
        var layer = RecurrentLayer.Create(CellSpec.Parse(cellName), 4, 5, 2, bias: true, batchFirst: bidirectional, bidirectional: bidirectional, random: random);
        var bytes = OnnxWriter.ToArray(OnnxExporter.Export(layer, withLengths, withState));
        var imported = OnnxImporter.Import(OnnxReader.Read(bytes, "own.onnx"), "own.onnx");
        var back = imported.Recurrent;
        Assert.Equal(layer.Cell, back.Cell);
        Assert.Equal((layer.NumLayers, layer.Bidirectional, layer.BatchFirst, layer.HiddenSize), (back.NumLayers, back.Bidirectional, back.BatchFirst, back.HiddenSize));
        var original = layer.NamedParameters().ToDictionary(p => p.Key, p => p.Value.ToArray());
        foreach (var (name, value) in back.NamedParameters()) Assert.Equal(original[name], value.ToArray());
        Assert.Equal(original.Count, back.NamedParameters().Count());
        Assert.Equal(withLengths ? "lengths" : null, imported.Lengths);
        Assert.Equal(withState ? "h0" : null, imported.InitialHidden);
        Assert.Equal(withState && layer.Cell.HasCellState ? "c0" : null, imported.InitialCell);
    }

    [Fact]
    public void Unsupported_operators_are_listed_by_name()
    {
        var model = OnnxReader.Read(Path.Combine(OnnxFixture.Root, "gru_L1_T6_B2_I4_H9_h0.onnx"));
        foreach (var op in new[] { "MatMul", "Foo", "MatMul" })
        {
            var node = new OnnxNode { OpType = op };
            node.Inputs.Add(model.Graph.Inputs[0].Name);
            node.Outputs.Add("extra_" + model.Graph.Nodes.Count);
            model.Graph.Nodes.Add(node);
        }
        var e = Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Import(model, "custom.onnx"));
        Assert.StartsWith("custom.onnx: the graph uses operators the ONNX importer does not map onto RecurrentSharp layers: Foo, MatMul (", e.Message);

        var clipped = OnnxReader.Read(Path.Combine(OnnxFixture.Root, "lstm_L1_T5_B3_I4_H8.onnx"));
        clipped.Graph.Nodes.First(n => n.OpType == "LSTM").Attributes.Add(OnnxAttribute.OfFloat("clip", 3f));
        Assert.Contains("clips its cell values", Assert.Throws<OnnxUnsupportedException>(() => OnnxImporter.Import(clipped, "clip.onnx")).Message);
    }
}
