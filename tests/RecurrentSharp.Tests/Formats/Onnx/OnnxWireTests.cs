using System.Text.Json;
using Google.Protobuf;
using RecurrentSharp.Formats.Onnx;

namespace RecurrentSharp.Tests.Formats.Onnx;

/// <summary>The ONNX reader and writer: round trips, the PyTorch fixture files, and hostile inputs refused by name.</summary>
public class OnnxWireTests
{
    /// <summary>A model using every attribute kind, a subgraph, typed and dynamic shapes.</summary>
    internal static OnnxModel SampleModel()
    {
        var model = new OnnxModel { ProducerName = "test", ProducerVersion = "1" };
        model.Opsets.Add(new OnnxOpset("", 14));
        var g = model.Graph;
        g.Name = "main";
        g.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [OnnxDimension.Named("batch"), OnnxDimension.Of(3)]));
        g.Initializers.Add(OnnxTensor.FromFloats("w", [1f, -2f, 3.5f, 0f, 1e-7f, 9f], 3, 2));
        g.Initializers.Add(OnnxTensor.FromInt64s("axes", [0L, -1L, long.MaxValue], 3));
        var node = new OnnxNode { OpType = "MatMul", Name = "mm" };
        node.Inputs.AddRange(["x", "w"]);
        node.Outputs.Add("y");
        node.Attributes.Add(OnnxAttribute.OfInt("i", -5));
        node.Attributes.Add(OnnxAttribute.OfFloat("f", 0.25f));
        node.Attributes.Add(OnnxAttribute.OfString("s", "Tanh é"));
        node.Attributes.Add(OnnxAttribute.OfInts("ints", 1, -1, 1L << 40));
        node.Attributes.Add(OnnxAttribute.OfFloats("floats", 1f, -0.5f));
        node.Attributes.Add(OnnxAttribute.OfStrings("strings", "Sigmoid", "Tanh"));
        node.Attributes.Add(OnnxAttribute.OfTensor("t", OnnxTensor.FromFloats("", [2f], 1)));
        var body = new OnnxGraph { Name = "body" };
        var inner = new OnnxNode { OpType = "Identity" };
        inner.Inputs.Add("x");
        inner.Outputs.Add("z");
        body.Nodes.Add(inner);
        body.Outputs.Add(new OnnxValueInfo("z", OnnxDataType.Float, null));
        node.Attributes.Add(new OnnxAttribute { Name = "g", Type = OnnxAttributeType.Graph, Graph = body });
        g.Nodes.Add(node);
        var second = new OnnxNode { OpType = "Relu" };
        second.Inputs.Add("y");
        second.Outputs.Add("out");
        g.Nodes.Add(second);
        g.Outputs.Add(new OnnxValueInfo("out", OnnxDataType.Float, [OnnxDimension.Named("batch"), OnnxDimension.Of(2)]));
        return model;
    }

    [Fact]
    public void A_written_model_reads_back_field_for_field()
    {
        var bytes = OnnxWriter.ToArray(SampleModel());
        var back = OnnxReader.Read(bytes, "sample");
        Assert.Equal(7, back.IrVersion);
        Assert.Equal("test", back.ProducerName);
        Assert.Equal(14, back.DefaultOpsetVersion);
        Assert.Equal("main", back.Graph.Name);
        Assert.Equal([1f, -2f, 3.5f, 0f, 1e-7f, 9f], back.Graph.Initializers[0].ToFloats());
        Assert.Equal([3L, 2L], back.Graph.Initializers[0].Dims);
        Assert.Equal([0L, -1L, long.MaxValue], back.Graph.Initializers[1].ToInt64s());
        var node = back.Graph.Nodes[0];
        Assert.Equal(["x", "w"], node.Inputs);
        Assert.Equal(-5, node.Attribute("i")!.Int);
        Assert.Equal(0.25f, node.Attribute("f")!.Float);
        Assert.Equal("Tanh é", node.Attribute("s")!.String);
        Assert.Equal([1L, -1L, 1L << 40], node.Attribute("ints")!.Ints);
        Assert.Equal([1f, -0.5f], node.Attribute("floats")!.Floats);
        Assert.Equal(["Sigmoid", "Tanh"], node.Attribute("strings")!.Strings);
        Assert.Equal([2f], node.Attribute("t")!.Tensor!.ToFloats());
        Assert.Equal("z", node.Attribute("g")!.Graph!.Outputs[0].Name);
        var input = back.Graph.Inputs[0];
        Assert.Equal(OnnxDataType.Float, input.ElementType);
        Assert.Equal("batch", input.Shape![0].Param);
        Assert.Equal(3, input.Shape[1].Value);
        Assert.Equal(bytes, OnnxWriter.ToArray(back));   // a fixed point: nothing lost or reordered
    }

    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(OnnxFixture.Root, "*.onnx").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Every_pytorch_export_reads_with_the_operators_its_index_lists(string file)
    {
        var model = OnnxReader.Read(Path.Combine(OnnxFixture.Root, file));
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(OnnxFixture.Root, "index.json")));
        var entry = index.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("onnx").GetString()!.EndsWith(file, StringComparison.Ordinal));
        Assert.Equal(14, model.DefaultOpsetVersion);
        Assert.Equal("pytorch", model.ProducerName);
        Assert.Equal("torch_jit", model.Graph.Name);
        var meta = OnnxFixture.Load(file).Metadata;
        var ops = JsonSerializer.Deserialize<string[]>(meta["onnx_ops"])!;
        Assert.Equal(ops, model.Graph.Nodes.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(JsonSerializer.Deserialize<string[]>(meta["input_names"]), model.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(JsonSerializer.Deserialize<string[]>(meta["output_names"]), model.Graph.Outputs.Select(i => i.Name));
        Assert.Equal(entry.GetProperty("onnx_bytes").GetInt64(), new FileInfo(Path.Combine(OnnxFixture.Root, file)).Length);
    }

    private static void Rejected(byte[] bytes, string expected)
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(bytes, "bad.onnx"));
        Assert.StartsWith("bad.onnx: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_at_every_cut()
    {
        var bytes = OnnxWriter.ToArray(SampleModel());
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            try
            {
                OnnxReader.Read(bytes.AsSpan(0, cut), "bad.onnx");
                // a cut between two top-level fields after the graph leaves a shorter, valid model
                Assert.True(cut > 0);
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith("bad.onnx: ", e.Message);
            }
        }
        Rejected(bytes[..(bytes.Length / 2)], "only");
    }

    private static byte[] Wrap(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var o = new CodedOutputStream(buffer, leaveOpen: true)) { write(o); o.Flush(); }
        return buffer.ToArray();
    }

    private static byte[] Field(int number, byte[] payload) => Wrap(o =>
    {
        o.WriteTag(number, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(payload));
    });

    private static byte[] ModelWithGraph(byte[] graph) => Field(7, graph);

    [Fact]
    public void A_length_longer_than_the_file_is_refused_without_allocating_it()
    {
        // graph field declaring 2^31 bytes, followed by 3 bytes
        byte[] bytes = [(7 << 3) | 2, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3];
        Rejected(bytes, "graph declares 2147483648 bytes, only 3 remain");
    }

    [Fact]
    public void A_tensor_declaring_more_elements_than_its_bytes_is_refused()
    {
        var tensor = Wrap(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(1L << 20);
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(1L << 20);
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32(1);
            o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteString("huge");
            o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(new byte[16]));
        });
        Rejected(ModelWithGraph(Field(5, tensor)), "declares more than 2147483647 elements");
        var lying = Wrap(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(1000);
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32(1);
            o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteString("w");
            o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(new byte[16]));
        });
        Rejected(ModelWithGraph(Field(5, lying)), "tensor 'w' declares dims [1000] = 1000 elements of Float (4000 bytes), but holds 16 bytes");
    }

    [Fact]
    public void Deeply_nested_subgraphs_are_refused()
    {
        byte[] graph = Wrap(o => { o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("leaf"); });
        for (int level = 0; level < OnnxReader.MaxGraphDepth + 2; level++)
        {
            var attribute = Wrap(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("body");
                o.WriteTag(6, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(graph));
                o.WriteTag(20, WireFormat.WireType.Varint); o.WriteInt32(5);
            });
            var node = Wrap(o =>
            {
                o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteString("Loop");
                o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(attribute));
            });
            graph = Field(1, node);
        }
        Rejected(ModelWithGraph(graph), $"subgraphs nest deeper than {OnnxReader.MaxGraphDepth} levels");
    }

    [Fact]
    public void A_cycle_a_duplicate_value_and_a_duplicate_graph_name_are_refused_by_name()
    {
        var cyclic = SampleModel();
        cyclic.Graph.Nodes.Reverse();   // Relu now reads y before MatMul produces it
        Rejected(OnnxWriter.ToArray(cyclic), "node 0 (Relu) reads 'y', which no graph input, initializer or earlier node defines");

        var twice = SampleModel();
        twice.Graph.Nodes[1].Outputs[0] = "y";
        Rejected(OnnxWriter.ToArray(twice), "the value 'y' is defined twice");

        var names = SampleModel();
        names.Graph.Nodes[0].Attribute("g")!.Graph!.Name = "main";
        Rejected(OnnxWriter.ToArray(names), "two graphs are named 'main'");

        var missing = SampleModel();
        missing.Graph.Outputs.Add(new OnnxValueInfo("nowhere", OnnxDataType.Float, null));
        Rejected(OnnxWriter.ToArray(missing), "the graph output 'nowhere' is never computed");

        Rejected([], "empty");
        Rejected(Field(8, []), "ModelProto has no graph");
        Rejected([(7 << 3) | 3], "wire type 3");
    }

    [Fact]
    public void Unknown_fields_are_skipped()
    {
        var bytes = OnnxWriter.ToArray(SampleModel());
        var extra = Wrap(o =>
        {
            o.WriteTag(99, WireFormat.WireType.Varint); o.WriteInt64(12345);
            o.WriteTag(100, WireFormat.WireType.Fixed64); o.WriteDouble(1.5);
            o.WriteTag(101, WireFormat.WireType.Fixed32); o.WriteFloat(2.5f);
            o.WriteTag(102, WireFormat.WireType.LengthDelimited); o.WriteString("future");
        });
        var model = OnnxReader.Read([.. extra, .. bytes, .. extra], "extra");
        Assert.Equal(OnnxWriter.ToArray(SampleModel()), OnnxWriter.ToArray(model));
    }
}
