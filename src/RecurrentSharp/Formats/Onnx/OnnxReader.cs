using System.Buffers.Binary;

namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// Reads an ONNX model file (protobuf) into <see cref="OnnxModel"/>. Hostile-input safe: every length is
/// checked against the bytes that remain in its message, a tensor's declared dimensions must match the bytes
/// it holds (nothing is allocated from a declared size, only from bytes present), graphs nest at most
/// <see cref="MaxGraphDepth"/> deep, every node may read only values defined before it (so a cyclic or unsorted
/// graph is refused), no value is produced twice and graph names are unique. Unknown fields are skipped, as
/// protobuf requires. Every failure is a <see cref="ModelFormatException"/> naming the file, the message and
/// the byte offset or the value at fault.
/// </summary>
public static class OnnxReader
{
    /// <summary>How deep subgraphs (Loop/If/Scan bodies) may nest inside the main graph.</summary>
    public const int MaxGraphDepth = 16;

    /// <summary>Reads a model file.</summary>
    public static OnnxModel Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot read the ONNX file ({e.Message}).", e);
        }
        return Read(bytes, path);
    }

    /// <summary>Reads a model from its bytes; <paramref name="source"/> names it in error messages.</summary>
    public static OnnxModel Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length == 0) throw new ModelFormatException($"{source}: the ONNX file is empty.");
        var reader = new ProtoReader(bytes, 0, source, "ModelProto");
        var model = new OnnxModel();
        bool hasGraph = false;
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1: model.IrVersion = reader.ReadInt64(wire, "ir_version"); break;
                case 2: model.ProducerName = reader.ReadString(wire, "producer_name"); break;
                case 3: model.ProducerVersion = reader.ReadString(wire, "producer_version"); break;
                case 7:
                    if (hasGraph) throw reader.Error("a second graph");
                    var g = reader.ReadBytes(wire, "graph", out int start);
                    model.Graph = ReadGraph(g, start, source, 0);
                    hasGraph = true;
                    break;
                case 8: model.Opsets.Add(ReadOpset(reader.ReadBytes(wire, "opset_import", out int os), os, source)); break;
                default: reader.Skip(wire, field); break;
            }
        }
        if (!hasGraph) throw new ModelFormatException($"{source}: not an ONNX model: ModelProto has no graph (field 7).");
        OnnxGraphCheck.Check(model.Graph, source);
        return model;
    }

    private static OnnxOpset ReadOpset(ReadOnlySpan<byte> bytes, int start, string source)
    {
        var reader = new ProtoReader(bytes, start, source, "OperatorSetIdProto");
        string domain = "";
        long version = 0;
        while (reader.Next(out int field, out int wire))
        {
            if (field == 1) domain = reader.ReadString(wire, "domain");
            else if (field == 2) version = reader.ReadInt64(wire, "version");
            else reader.Skip(wire, field);
        }
        return new OnnxOpset(domain, version);
    }

    private static OnnxGraph ReadGraph(ReadOnlySpan<byte> bytes, int start, string source, int depth)
    {
        if (depth > MaxGraphDepth)
            throw new ModelFormatException($"{source}: subgraphs nest deeper than {MaxGraphDepth} levels (at byte {start}).");
        var reader = new ProtoReader(bytes, start, source, "GraphProto");
        var graph = new OnnxGraph();
        while (reader.Next(out int field, out int wire))
        {
            int at;
            switch (field)
            {
                case 1: graph.Nodes.Add(ReadNode(reader.ReadBytes(wire, "node", out at), at, source, depth)); break;
                case 2: graph.Name = reader.ReadString(wire, "name"); break;
                case 5: graph.Initializers.Add(ReadTensor(reader.ReadBytes(wire, "initializer", out at), at, source)); break;
                case 11: graph.Inputs.Add(ReadValueInfo(reader.ReadBytes(wire, "input", out at), at, source)); break;
                case 12: graph.Outputs.Add(ReadValueInfo(reader.ReadBytes(wire, "output", out at), at, source)); break;
                default: reader.Skip(wire, field); break;
            }
        }
        return graph;
    }

    private static OnnxNode ReadNode(ReadOnlySpan<byte> bytes, int start, string source, int depth)
    {
        var reader = new ProtoReader(bytes, start, source, "NodeProto");
        var node = new OnnxNode();
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1: node.Inputs.Add(reader.ReadString(wire, "input")); break;
                case 2: node.Outputs.Add(reader.ReadString(wire, "output")); break;
                case 3: node.Name = reader.ReadString(wire, "name"); break;
                case 4: node.OpType = reader.ReadString(wire, "op_type"); break;
                case 5: node.Attributes.Add(ReadAttribute(reader.ReadBytes(wire, "attribute", out int at), at, source, depth)); break;
                case 7: node.Domain = reader.ReadString(wire, "domain"); break;
                default: reader.Skip(wire, field); break;
            }
        }
        if (node.OpType.Length == 0) throw new ModelFormatException($"{source}: node '{node.Name}' (at byte {start}) has no op_type.");
        return node;
    }

    private static OnnxAttribute ReadAttribute(ReadOnlySpan<byte> bytes, int start, string source, int depth)
    {
        var reader = new ProtoReader(bytes, start, source, "AttributeProto");
        var a = new OnnxAttribute();
        var seen = OnnxAttributeType.Undefined;
        while (reader.Next(out int field, out int wire))
        {
            int at;
            switch (field)
            {
                case 1: a.Name = reader.ReadString(wire, "name"); break;
                case 20:
                    int type = reader.ReadInt32(wire, "type");
                    a.Type = Enum.IsDefined((OnnxAttributeType)type) ? (OnnxAttributeType)type
                        : throw reader.Error($"attribute type {type} is not one RecurrentSharp reads");
                    break;
                case 2: a.Float = reader.ReadFloat(wire, "f"); seen = OnnxAttributeType.Float; break;
                case 3: a.Int = reader.ReadInt64(wire, "i"); seen = OnnxAttributeType.Int; break;
                case 4: a.String = System.Text.Encoding.UTF8.GetString(reader.ReadBytes(wire, "s", out _)); seen = OnnxAttributeType.String; break;
                case 5: a.Tensor = ReadTensor(reader.ReadBytes(wire, "t", out at), at, source); seen = OnnxAttributeType.Tensor; break;
                case 6: a.Graph = ReadGraph(reader.ReadBytes(wire, "g", out at), at, source, depth + 1); seen = OnnxAttributeType.Graph; break;
                case 7:
                    if (wire == ProtoReader.LengthDelimited)
                    {
                        var packed = reader.ReadBytes(wire, "floats", out _);
                        if (packed.Length % 4 != 0) throw reader.Error($"packed floats of {packed.Length} bytes");
                        for (int i = 0; i < packed.Length; i += 4) a.Floats.Add(BinaryPrimitives.ReadSingleLittleEndian(packed[i..]));
                    }
                    else a.Floats.Add(reader.ReadFloat(wire, "floats"));
                    seen = OnnxAttributeType.Floats;
                    break;
                case 8:
                    ReadInt64s(ref reader, wire, "ints", a.Ints);
                    seen = OnnxAttributeType.Ints;
                    break;
                case 9: a.Strings.Add(System.Text.Encoding.UTF8.GetString(reader.ReadBytes(wire, "strings", out _))); seen = OnnxAttributeType.Strings; break;
                default: reader.Skip(wire, field); break;
            }
        }
        if (a.Type == OnnxAttributeType.Undefined) a.Type = seen;   // IR version 1 files had no type field
        if (a.Name.Length == 0) throw new ModelFormatException($"{source}: an attribute (at byte {start}) has no name.");
        if ((a.Type == OnnxAttributeType.Tensor && a.Tensor is null) || (a.Type == OnnxAttributeType.Graph && a.Graph is null))
            throw new ModelFormatException($"{source}: attribute '{a.Name}' (at byte {start}) is of type {a.Type} but holds no {a.Type.ToString().ToLowerInvariant()}.");
        return a;
    }

    /// <summary>A repeated int64 field: packed (one payload of varints) or one varint per occurrence.</summary>
    private static void ReadInt64s(ref ProtoReader reader, int wire, string field, List<long> into)
    {
        if (wire != ProtoReader.LengthDelimited)
        {
            into.Add(reader.ReadInt64(wire, field));
            return;
        }
        var packed = reader.ReadBytes(wire, field, out int at);
        var inner = new ProtoReader(packed, at, reader.Source, field);
        while (inner.Offset < at + packed.Length) into.Add((long)inner.ReadVarint());
    }

    private static OnnxTensor ReadTensor(ReadOnlySpan<byte> bytes, int start, string source)
    {
        var reader = new ProtoReader(bytes, start, source, "TensorProto");
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        byte[]? raw = null;
        var typed = new List<byte>();   // float_data / int32_data / int64_data / double_data, as little-endian bytes
        long typedValues = 0;
        int typedField = 0;
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1: ReadInt64s(ref reader, wire, "dims", dims); break;
                case 2: dataType = reader.ReadInt32(wire, "data_type"); break;
                case 8: name = reader.ReadString(wire, "name"); break;
                case 9: raw = reader.ReadBytes(wire, "raw_data", out _).ToArray(); break;
                case 4 or 10:   // float_data (fixed32), double_data (fixed64)
                {
                    int size = field == 4 ? 4 : 8;
                    if (wire == ProtoReader.LengthDelimited)
                    {
                        var packed = reader.ReadBytes(wire, field == 4 ? "float_data" : "double_data", out _);
                        if (packed.Length % size != 0) throw reader.Error($"packed {(field == 4 ? "float_data" : "double_data")} of {packed.Length} bytes");
                        typed.AddRange(packed);
                        typedValues += packed.Length / size;
                    }
                    else
                    {
                        Span<byte> one = stackalloc byte[8];
                        if (size == 4) BinaryPrimitives.WriteSingleLittleEndian(one, reader.ReadFloat(wire, "float_data"));
                        else BinaryPrimitives.WriteDoubleLittleEndian(one, reader.ReadDouble(wire, "double_data"));
                        typed.AddRange(one[..size]);
                        typedValues++;
                    }
                    typedField = field;
                    break;
                }
                case 5 or 7:   // int32_data, int64_data (varints); converted below once the data type is known
                {
                    var values = new List<long>();
                    ReadInt64s(ref reader, wire, field == 5 ? "int32_data" : "int64_data", values);
                    Span<byte> one = stackalloc byte[8];
                    foreach (long v in values)
                    {
                        BinaryPrimitives.WriteInt64LittleEndian(one, v);
                        typed.AddRange(one);
                    }
                    typedValues += values.Count;
                    typedField = field;
                    break;
                }
                case 13: throw reader.Error($"tensor '{name}' keeps its data in an external file, which RecurrentSharp does not read");
                case 14:
                    if (reader.ReadInt64(wire, "data_location") != 0)
                        throw reader.Error($"tensor '{name}' keeps its data in an external file, which RecurrentSharp does not read");
                    break;
                default: reader.Skip(wire, field); break;
            }
        }
        var type = (OnnxDataType)dataType;
        string label = name.Length > 0 ? name : $"(unnamed, at byte {start})";
        int elementSize = OnnxTensor.ElementSize(type, label, source);
        long declared = OnnxTensor.ElementCount(dims.ToArray(), label, source);
        byte[] data;
        if (raw is not null)
        {
            if (typedValues > 0) throw new ModelFormatException($"{source}: tensor '{label}' has both raw_data and typed data.");
            data = raw;
        }
        else if (typedField is 4 or 10)
        {
            if ((typedField == 4) != (type == OnnxDataType.Float) || (typedField == 10) != (type == OnnxDataType.Double))
                throw new ModelFormatException($"{source}: tensor '{label}' of type {type} stores its values in {(typedField == 4 ? "float_data" : "double_data")}.");
            data = [.. typed];
        }
        else
        {
            // int32_data carries int32, int8, uint8 and bool; int64_data carries int64: narrow each varint
            if ((typedField == 7) != (type == OnnxDataType.Int64) && typedValues > 0)
                throw new ModelFormatException($"{source}: tensor '{label}' of type {type} stores its values in {(typedField == 5 ? "int32_data" : "int64_data")}.");
            if (type is OnnxDataType.Float or OnnxDataType.Double && typedValues > 0)
                throw new ModelFormatException($"{source}: tensor '{label}' of type {type} stores its values in int32_data.");
            data = new byte[typedValues * elementSize];
            for (int i = 0; i < typedValues; i++)
            {
                long v = BinaryPrimitives.ReadInt64LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(typed).Slice(8 * i, 8));
                var dest = data.AsSpan(i * elementSize, elementSize);
                if (elementSize == 8) BinaryPrimitives.WriteInt64LittleEndian(dest, v);
                else if (elementSize == 4) BinaryPrimitives.WriteInt32LittleEndian(dest, unchecked((int)v));
                else dest[0] = unchecked((byte)v);
            }
        }
        if (declared * elementSize != data.Length)
            throw new ModelFormatException($"{source}: tensor '{label}' declares dims [{string.Join(", ", dims)}] = {declared} elements of {type} ({declared * elementSize} bytes), but holds {data.Length} bytes.");
        return new OnnxTensor(name, type, [.. dims], data);
    }

    private static OnnxValueInfo ReadValueInfo(ReadOnlySpan<byte> bytes, int start, string source)
    {
        var reader = new ProtoReader(bytes, start, source, "ValueInfoProto");
        string name = "";
        var elementType = OnnxDataType.Undefined;
        List<OnnxDimension>? shape = null;
        while (reader.Next(out int field, out int wire))
        {
            if (field == 1) name = reader.ReadString(wire, "name");
            else if (field == 2)
            {
                var typeBytes = reader.ReadBytes(wire, "type", out int typeAt);
                var type = new ProtoReader(typeBytes, typeAt, source, "TypeProto");
                while (type.Next(out int tf, out int tw))
                {
                    if (tf != 1) { type.Skip(tw, tf); continue; }
                    var tensorBytes = type.ReadBytes(tw, "tensor_type", out int tensorAt);
                    var tensor = new ProtoReader(tensorBytes, tensorAt, source, "TypeProto.Tensor");
                    while (tensor.Next(out int xf, out int xw))
                    {
                        if (xf == 1) elementType = (OnnxDataType)tensor.ReadInt32(xw, "elem_type");
                        else if (xf == 2) shape = ReadShape(tensor.ReadBytes(xw, "shape", out int shapeAt), shapeAt, source);
                        else tensor.Skip(xw, xf);
                    }
                }
            }
            else reader.Skip(wire, field);
        }
        if (name.Length == 0) throw new ModelFormatException($"{source}: a graph input or output (at byte {start}) has no name.");
        return new OnnxValueInfo(name, elementType, shape);
    }

    private static List<OnnxDimension> ReadShape(ReadOnlySpan<byte> bytes, int start, string source)
    {
        var reader = new ProtoReader(bytes, start, source, "TensorShapeProto");
        var dims = new List<OnnxDimension>();
        while (reader.Next(out int field, out int wire))
        {
            if (field != 1) { reader.Skip(wire, field); continue; }
            var dimBytes = reader.ReadBytes(wire, "dim", out int at);
            var dim = new ProtoReader(dimBytes, at, source, "TensorShapeProto.Dimension");
            long? value = null;
            string? param = null;
            while (dim.Next(out int df, out int dw))
            {
                if (df == 1) value = dim.ReadInt64(dw, "dim_value");
                else if (df == 2) param = dim.ReadString(dw, "dim_param");
                else dim.Skip(dw, df);
            }
            dims.Add(new OnnxDimension(value, param));
        }
        return dims;
    }
}
