using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>One PyTorch reference file (layout: shared/fixtures/README.md), its tensors as float32 and its config.</summary>
internal sealed class TorchFixture
{
    private TorchFixture(string path, Dictionary<string, Tensor> tensors, Dictionary<string, long[]> integers, JsonElement config)
    {
        Path = path;
        Tensors = tensors;
        Integers = integers;
        Config = config;
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);
    public Dictionary<string, Tensor> Tensors { get; }
    public Dictionary<string, long[]> Integers { get; }
    public JsonElement Config { get; }

    public Tensor this[string name] => Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Name}: no tensor '{name}'");
    public bool Has(string name) => Tensors.ContainsKey(name) || Integers.ContainsKey(name);
    public int Int(string key) => Config.GetProperty(key).GetInt32();
    public bool Bool(string key) => Config.GetProperty(key).GetBoolean();
    public string String(string key) => Config.GetProperty(key).GetString()!;

    public static TorchFixture Load(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        using var doc = JsonDocument.Parse(file.AsMemory(8, headerLength));
        int dataStart = 8 + headerLength;
        var tensors = new Dictionary<string, Tensor>();
        var integers = new Dictionary<string, long[]>();
        JsonElement config = default;
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                config = JsonDocument.Parse(entry.Value.GetProperty("config").GetString()!).RootElement.Clone();
                continue;
            }
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var bytes = file.AsSpan(dataStart + offsets[0], offsets[1] - offsets[0]);
            switch (entry.Value.GetProperty("dtype").GetString())
            {
                case "F32":
                    tensors[entry.Name] = Tensor.FromSpan(MemoryMarshal.Cast<byte, float>(bytes), shape);
                    break;
                case "F64":
                    tensors[entry.Name] = Tensor.FromSpan(MemoryMarshal.Cast<byte, double>(bytes).ToArray().Select(v => (float)v).ToArray(), shape);
                    break;
                case "I64":
                    integers[entry.Name] = MemoryMarshal.Cast<byte, long>(bytes).ToArray();
                    break;
                default:
                    throw new InvalidDataException($"{path}: unexpected dtype for {entry.Name}");
            }
        }
        return new TorchFixture(path, tensors, integers, config);
    }
}
