using Google.Protobuf;

namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// Writes an <see cref="OnnxModel"/> as ONNX protobuf bytes with Google.Protobuf's <see cref="CodedOutputStream"/>
/// (tags, varints, fixed-width floats, UTF-8 strings), the field numbers those of onnx.proto. Each nested message
/// is written to its own buffer first, so its length prefix is known. Tensors are written as raw_data.
/// </summary>
public static class OnnxWriter
{
    /// <summary>The model's bytes.</summary>
    public static byte[] ToArray(OnnxModel model) => Message(o =>
    {
        Int64(o, 1, model.IrVersion);
        Text(o, 2, model.ProducerName);
        Text(o, 3, model.ProducerVersion);
        Nested(o, 7, Graph(model.Graph));
        foreach (var opset in model.Opsets)
            Nested(o, 8, Message(s =>
            {
                Text(s, 1, opset.Domain);
                Int64(s, 2, opset.Version);
            }));
    });

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(OnnxModel model, string path)
    {
        var bytes = ToArray(model);
        string temporary = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private static byte[] Graph(OnnxGraph graph) => Message(o =>
    {
        foreach (var node in graph.Nodes) Nested(o, 1, Node(node));
        Text(o, 2, graph.Name);
        foreach (var t in graph.Initializers) Nested(o, 5, Tensor(t));
        foreach (var v in graph.Inputs) Nested(o, 11, ValueInfo(v));
        foreach (var v in graph.Outputs) Nested(o, 12, ValueInfo(v));
    });

    private static byte[] Node(OnnxNode node) => Message(o =>
    {
        foreach (var i in node.Inputs) AlwaysText(o, 1, i);
        foreach (var i in node.Outputs) AlwaysText(o, 2, i);
        Text(o, 3, node.Name);
        Text(o, 4, node.OpType);
        foreach (var a in node.Attributes) Nested(o, 5, Attribute(a));
        Text(o, 7, node.Domain);
    });

    private static byte[] Attribute(OnnxAttribute a) => Message(o =>
    {
        Text(o, 1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float:
                o.WriteTag(2, WireFormat.WireType.Fixed32);
                o.WriteFloat(a.Float);
                break;
            case OnnxAttributeType.Int:
                o.WriteTag(3, WireFormat.WireType.Varint);
                o.WriteInt64(a.Int);
                break;
            case OnnxAttributeType.String: AlwaysText(o, 4, a.String); break;
            case OnnxAttributeType.Tensor: Nested(o, 5, Tensor(a.Tensor ?? throw new ArgumentException($"attribute '{a.Name}' has no tensor"))); break;
            case OnnxAttributeType.Graph: Nested(o, 6, Graph(a.Graph ?? throw new ArgumentException($"attribute '{a.Name}' has no graph"))); break;
            case OnnxAttributeType.Floats:
                foreach (float f in a.Floats)
                {
                    o.WriteTag(7, WireFormat.WireType.Fixed32);
                    o.WriteFloat(f);
                }
                break;
            case OnnxAttributeType.Ints:
                foreach (long i in a.Ints)
                {
                    o.WriteTag(8, WireFormat.WireType.Varint);
                    o.WriteInt64(i);
                }
                break;
            case OnnxAttributeType.Strings:
                foreach (string s in a.Strings) AlwaysText(o, 9, s);
                break;
            default: throw new ArgumentException($"attribute '{a.Name}' has no type");
        }
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32((int)a.Type);
    });

    private static byte[] Tensor(OnnxTensor t) => Message(o =>
    {
        if (t.Dims.Length > 0)
            Nested(o, 1, Message(p =>
            {
                foreach (long d in t.Dims) p.WriteInt64(d);
            }));
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32((int)t.DataType);
        Text(o, 8, t.Name);
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(t.Data));
    });

    private static byte[] ValueInfo(OnnxValueInfo v) => Message(o =>
    {
        Text(o, 1, v.Name);
        Nested(o, 2, Message(type => Nested(type, 1, Message(tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint);
            tensor.WriteInt32((int)v.ElementType);
            if (v.Shape is null) return;
            Nested(tensor, 2, Message(shape =>
            {
                foreach (var d in v.Shape)
                    Nested(shape, 1, Message(dim =>
                    {
                        if (d.Value is { } value) Int64(dim, 1, value);
                        else if (d.Param is { } param) Text(dim, 2, param);
                    }));
            }));
        }))));
    });

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            body(output);
            output.Flush();
        }
        return buffer.ToArray();
    }

    private static void Nested(CodedOutputStream o, int field, byte[] message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void Int64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void Text(CodedOutputStream o, int field, string value)
    {
        if (value.Length > 0) AlwaysText(o, field, value);
    }

    private static void AlwaysText(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }
}
