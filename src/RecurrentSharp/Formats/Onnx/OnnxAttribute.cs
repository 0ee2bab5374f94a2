namespace RecurrentSharp.Formats.Onnx;

/// <summary>The kind of value an attribute holds (AttributeProto.AttributeType).</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>One float (field f).</summary>
    Float = 1,
    /// <summary>One int64 (field i).</summary>
    Int = 2,
    /// <summary>One byte string (field s).</summary>
    String = 3,
    /// <summary>One tensor (field t).</summary>
    Tensor = 4,
    /// <summary>One graph (field g), e.g. a Loop body.</summary>
    Graph = 5,
    /// <summary>Floats (field floats).</summary>
    Floats = 6,
    /// <summary>Int64s (field ints).</summary>
    Ints = 7,
    /// <summary>Strings (field strings).</summary>
    Strings = 8,
}

/// <summary>
/// A named operator attribute (AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9,
/// type 20). Only the member matching <see cref="Type"/> is meaningful.
/// </summary>
public sealed class OnnxAttribute
{
    /// <summary>The attribute name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Which value it holds.</summary>
    public OnnxAttributeType Type { get; set; }

    /// <summary>The float value.</summary>
    public float Float { get; set; }

    /// <summary>The int64 value.</summary>
    public long Int { get; set; }

    /// <summary>The string value (UTF-8 decoded).</summary>
    public string String { get; set; } = "";

    /// <summary>The tensor value.</summary>
    public OnnxTensor? Tensor { get; set; }

    /// <summary>The graph value.</summary>
    public OnnxGraph? Graph { get; set; }

    /// <summary>The float list.</summary>
    public List<float> Floats { get; } = [];

    /// <summary>The int64 list.</summary>
    public List<long> Ints { get; } = [];

    /// <summary>The string list.</summary>
    public List<string> Strings { get; } = [];

    /// <summary>An int attribute.</summary>
    public static OnnxAttribute OfInt(string name, long value) => new() { Name = name, Type = OnnxAttributeType.Int, Int = value };

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute OfFloat(string name, float value) => new() { Name = name, Type = OnnxAttributeType.Float, Float = value };

    /// <summary>A string attribute.</summary>
    public static OnnxAttribute OfString(string name, string value) => new() { Name = name, Type = OnnxAttributeType.String, String = value };

    /// <summary>A tensor attribute (e.g. Constant's value).</summary>
    public static OnnxAttribute OfTensor(string name, OnnxTensor value) => new() { Name = name, Type = OnnxAttributeType.Tensor, Tensor = value };

    /// <summary>An int list attribute.</summary>
    public static OnnxAttribute OfInts(string name, params long[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float list attribute.</summary>
    public static OnnxAttribute OfFloats(string name, params float[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>A string list attribute.</summary>
    public static OnnxAttribute OfStrings(string name, params string[] values)
    {
        var a = new OnnxAttribute { Name = name, Type = OnnxAttributeType.Strings };
        a.Strings.AddRange(values);
        return a;
    }
}
