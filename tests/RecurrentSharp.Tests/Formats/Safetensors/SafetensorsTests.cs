using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Formats.Safetensors;

public class SafetensorsTests
{
    /// <summary>A file with the given header text (padded to a multiple of 8 unless told) and data bytes.</summary>
    internal static byte[] Craft(string header, int dataBytes = 0, bool pad = true, ulong? lengthField = null, byte fill = 0)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int length = pad ? (json.Length + 8 + 7) / 8 * 8 - 8 : json.Length;
        var file = new byte[8 + length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, lengthField ?? (ulong)length);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, length - json.Length).Fill((byte)' ');
        file.AsSpan(8 + length).Fill(fill);
        return file;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void Reads_every_torch_fixture_file_with_consistent_shapes()
    {
        var files = Directory.GetFiles(SharedFolder.Fixture("torch"), "*.safetensors", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(SharedFolder.Fixture("torch-optim"), "*.safetensors")).ToList();
        Assert.True(files.Count >= 38 + 17, $"expected the 55 fixture files, found {files.Count}");
        using var index = JsonDocument.Parse(File.ReadAllText(SharedFolder.Fixture("torch", "index.json")));
        var bytesByFile = index.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => Path.GetFullPath(SharedFolder.Fixture("torch", c.GetProperty("file").GetString()!)), c => c.GetProperty("bytes").GetInt64());
        foreach (var path in files)
        {
            var file = SafetensorsReader.Read(path);
            Assert.Equal("1", file.Metadata["format_version"]);
            Assert.NotEmpty(file.Tensors);
            if (bytesByFile.TryGetValue(Path.GetFullPath(path), out long bytes))
                Assert.Equal(bytes, new FileInfo(path).Length);
            long dataBytes = 0;
            foreach (var t in file.Tensors)
            {
                Assert.Equal(TensorShape.ElementCount(t.Shape), t.ElementCount);
                dataBytes += (long)t.ElementCount * t.DType.ElementSize();
            }
            // The tensors tile the data section: their sizes add up to what follows the header.
            var raw = File.ReadAllBytes(path);
            Assert.Equal(raw.Length - 8 - (long)BinaryPrimitives.ReadUInt64LittleEndian(raw), dataBytes);
            if (file.Metadata.TryGetValue("param_names", out var paramNames))
            {
                // Optimizer fixtures name their parameters a, b and store them as init.a, after.1.a, ...
                string prefix = file.Metadata["kind"] == "optimizer" ? "init." : "";
                foreach (var name in JsonSerializer.Deserialize<string[]>(paramNames)!)
                    Assert.True(file.Contains(prefix + name), $"{path}: parameter {name} listed but absent");
            }
        }
    }

    [Fact]
    public void Reads_known_values_from_fixture_files()
    {
        // Expected values read once from the files with Python's struct module.
        var lstm = SafetensorsReader.Read(SharedFolder.Fixture("torch", "modules", "lstm_L1_T5_B3_I4_H7.safetensors"));
        Assert.Equal(17, lstm.Tensors.Count);
        Assert.Equal("LSTM", lstm.Metadata["mode"]);
        var w = lstm["weight_ih_l0"];
        Assert.Equal(SafetensorsDType.F32, w.DType);
        Assert.Equal(new[] { 28, 4 }, w.GetShape());
        Assert.Equal(new[] { 0.3247917592525482f, 0.2828133702278137f, 0.3414320945739746f }, w.ToFloat32Array()[..3]);
        Assert.Empty(lstm["loss"].GetShape());
        Assert.Equal(-0.9632513523101807f, lstm["loss"].ToTensor().Item());
        using (var config = StateDictFile.ReadConfig(lstm)!)
            Assert.Equal(7, config.RootElement.GetProperty("hidden_size").GetInt32());

        var f64 = SafetensorsReader.Read(SharedFolder.Fixture("torch", "modules", "lstm_L2_bi_T18_B7_I11_H13_var_h0_f64.safetensors"));
        Assert.Equal(46, f64.Tensors.Count);
        var whh = f64["weight_hh_l1_reverse"];
        Assert.Equal(SafetensorsDType.F64, whh.DType);
        Assert.Equal(new[] { 52, 13 }, whh.GetShape());
        Assert.Equal(new[] { -0.06974855810403824, 0.23565316200256348, 0.276612788438797 }, whh.ToFloat64Array()[..3]);
        Assert.Throws<ModelFormatException>(() => whh.ToFloat32Array());
        Assert.Equal((float)-0.06974855810403824, whh.ToTensor(convertFloat64: true).Data[0]);
        Assert.Equal(5.6092623166525435, f64["loss"].ToFloat64Array()[0]);
        Assert.Equal(SafetensorsDType.I64, f64["lengths"].DType);
        Assert.Equal(new long[] { 8, 5, 11, 18, 4, 14, 9 }, f64["lengths"].ToInt64Array());
        Assert.Equal(new[] { 8, 5, 11, 18, 4, 14, 9 }, f64["lengths"].ToInt32Array());

        var adam = SafetensorsReader.Read(SharedFolder.Fixture("torch-optim", "adam_default.safetensors"));
        Assert.Equal(new[] { -0.498455673456192f, -1.3156484365463257f, -1.0394076108932495f, 1.0126789808273315f, 1.0207194089889526f },
            adam["init.b"].ToFloat32Array());
        Assert.Equal(6f, adam["state.step.a"].ToTensor().Item());
        var missing = Assert.Throws<ModelFormatException>(() => adam["state.nothing"]);
        Assert.Contains("state.nothing", missing.Message);
    }

    [Fact]
    public void Round_trips_every_dtype_with_metadata_scalars_and_empty_tensors()
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["config"] = "{\"hidden_size\": 8, \"name\": \"café ☕\"}";
        writer.Metadata["note"] = "quotes \" and \\ backslashes";
        writer.Add("w", [1f, -2.5f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity], 2, 3);
        writer.Add("scalar", [42f]);
        writer.Add("empty", ReadOnlySpan<float>.Empty, 0, 5);
        writer.Add("d", [Math.PI, -1e300], 2);
        writer.Add("lengths", [3L, long.MaxValue, -7L], 3);
        writer.Add("i", [int.MinValue, 0, 1], 1, 3);
        writer.Add("t", Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2));
        var bytes = writer.ToArray();

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        var file = SafetensorsReader.Read(bytes, "roundtrip");
        Assert.Equal(writer.Metadata, file.Metadata);
        Assert.Equal(7, file.Tensors.Count);
        Assert.Equal(new[] { 1f, -2.5f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity }, file["w"].ToFloat32Array());
        Assert.Equal(new[] { 2, 3 }, file["w"].GetShape());
        Assert.Empty(file["scalar"].GetShape());
        Assert.Equal(42f, file["scalar"].ToTensor().Item());
        Assert.Equal(new[] { 0, 5 }, file["empty"].GetShape());
        Assert.Equal(0, file["empty"].ElementCount);
        Assert.Equal(new[] { Math.PI, -1e300 }, file["d"].ToFloat64Array());
        Assert.Equal(new[] { 3L, long.MaxValue, -7L }, file["lengths"].ToInt64Array());
        Assert.Throws<ModelFormatException>(() => file["lengths"].ToInt32Array());
        Assert.Equal(new[] { int.MinValue, 0, 1 }, file["i"].ToInt32Array());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, file["t"].ToFloat32Array());
        // 8-byte types were laid out first, so every tensor is aligned to its element size.
        Assert.Equal(new[] { "d", "lengths", "w", "scalar", "empty", "i", "t" }, file.Names);
        // Writing what was read gives the same bytes.
        var again = new SafetensorsWriter();
        foreach (var (k, v) in file.Metadata) again.Metadata[k] = v;
        foreach (var t in file.Tensors) AddLike(again, t);
        Assert.Equal(bytes, again.ToArray());
    }

    internal static void AddLike(SafetensorsWriter writer, SafetensorsTensor t)
    {
        switch (t.DType)
        {
            case SafetensorsDType.F32: writer.Add(t.Name, t.ToFloat32Array(), t.GetShape()); break;
            case SafetensorsDType.F64: writer.Add(t.Name, t.ToFloat64Array(), t.GetShape()); break;
            case SafetensorsDType.I32: writer.Add(t.Name, t.ToInt32Array(), t.GetShape()); break;
            default: writer.Add(t.Name, t.ToInt64Array(), t.GetShape()); break;
        }
    }

    [Fact]
    public void Writer_refuses_duplicate_reserved_and_misshapen_tensors()
    {
        var writer = new SafetensorsWriter().Add("a", [1f], 1);
        Assert.Throws<ArgumentException>(() => writer.Add("a", [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("", [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("b", [1f, 2f], 3));
    }

    [Fact]
    public void Save_replaces_the_file_atomically_and_a_failed_write_leaves_the_old_file()
    {
        string folder = Path.Combine(Path.GetTempPath(), "rs-atomic-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            new SafetensorsWriter().Add("x", [1f, 2f], 2).Save(path);
            var good = File.ReadAllBytes(path);
            new SafetensorsWriter().Add("x", [3f, 4f, 5f], 3).Save(path);
            Assert.Equal(new[] { 3f, 4f, 5f }, SafetensorsReader.Read(path)["x"].ToFloat32Array());
            good = File.ReadAllBytes(path);

            // A writer that dies half-way: the old file must stay complete, and no temporary file remains.
            var crash = Assert.Throws<FileWriteException>(() => AtomicFile.Write(path, s =>
            {
                s.Write(new byte[100]);
                throw new IOException("simulated crash");
            }));
            Assert.Equal("simulated crash", crash.InnerException!.Message);
            Assert.Contains(path, crash.Message);
            Assert.Equal(good, File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(folder));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    public static TheoryData<string, byte[], string> Hostile()
    {
        string a = Entry("a", "F32", "[2]", 0, 8);
        var data = new TheoryData<string, byte[], string>
        {
            { "shorter than the length field", [1, 2, 3], "fewer than the 8" },
            { "tiny header length", Craft("{}", lengthField: 1), "too small" },
            { "header length past the end", Craft("{" + a + "}", 8, lengthField: 4096), "larger than the" },
            { "huge header length", Craft("{" + a + "}", 8, lengthField: 1UL << 40), "exceeds the limit" },
            { "largest header length", Craft("{" + a + "}", 8, lengthField: ulong.MaxValue), "exceeds the limit" },
            { "not UTF-8", Craft("{\"a\xff\":1}").Select(b => b == (byte)'\u00c3' ? (byte)0xff : b).ToArray(), "UTF-8" },
            { "not an object", Craft("[1, 2]"), "does not start with '{'" },
            { "leading space", Craft(" {}"), "does not start with '{'" },
            { "malformed JSON", Craft("{\"a\": }"), "not valid JSON" },
            { "unterminated JSON", Craft("{\"a\": {\"dtype\": \"F32\""), "does not end with '}'" },
            { "trailing garbage", Craft("{} {}"), "not valid JSON" },
            { "comment", Craft("{/* x */}"), "not valid JSON" },
            { "entry not an object", Craft("{\"a\": 5}"), "tensor 'a': the entry is a JSON Number" },
            { "unknown dtype", Craft("{" + Entry("a", "F16", "[2]", 0, 4) + "}", 4), "tensor 'a': dtype 'F16' is not supported" },
            { "dtype not a string", Craft("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "'dtype' is a JSON Number" },
            { "negative shape", Craft("{" + Entry("a", "F32", "[-2]", 0, 8) + "}", 8), "tensor 'a': a shape size is negative" },
            { "fractional shape", Craft("{" + Entry("a", "F32", "[2.5]", 0, 8) + "}", 8), "not an integer" },
            { "shape beyond int", Craft("{" + Entry("a", "F32", "[4294967296]", 0, 8) + "}", 8), "too large" },
            { "overflowing shape", Craft("{" + Entry("a", "F32", "[2147483647,2147483647,2147483647,2147483647,2147483647]", 0, 8) + "}", 8), "more than" },
            { "too many axes", Craft("{" + Entry("a", "F32", "[" + string.Join(",", Enumerable.Repeat(1, 40)) + "]", 0, 4) + "}", 4), "40 axes" },
            { "shape not an array", Craft("{" + Entry("a", "F32", "2", 0, 8) + "}", 8), "'shape' is a JSON Number" },
            { "offsets past the data", Craft("{" + Entry("a", "F32", "[2]", 0, 8) + "}", 4), "reach past the data section" },
            { "offsets reversed", Craft("{" + Entry("a", "F32", "[0]", 8, 0) + "}", 8), "end before they begin" },
            { "offsets beyond long", Craft("{" + Entry("a", "F32", "[2]", 0, 8).Replace("8]", "99999999999999999999]") + "}", 8), "not an integer" },
            { "three offsets", Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8), "two integers" },
            { "overlapping tensors", Craft("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "overlaps tensor 'a'" },
            { "gap between tensors", Craft("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}", 12), "gap of 4 bytes before tensor 'b'" },
            { "gap at the start", Craft("{" + Entry("a", "F32", "[1]", 4, 8) + "}", 8), "gap of 4 bytes before tensor 'a'" },
            { "bytes after the last tensor", Craft("{" + a + "}", 16), "8 bytes after the last tensor 'a'" },
            { "data but no tensors", Craft("{}", 8), "8 bytes after the last tensor" },
            { "range not whole elements", Craft("{" + Entry("a", "F64", "[]", 0, 4) + "}", 4), "tensor 'a': shape [] of F64 needs 8 bytes, but data_offsets [0, 4] span 4" },
            { "count disagrees with bytes", Craft("{" + Entry("a", "F32", "[3]", 0, 8) + "}", 8), "tensor 'a': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] span 8" },
            { "duplicate names", Craft("{" + a + "," + a + "}", 8), "tensor 'a' appears twice" },
            { "duplicate field", Craft("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "field 'dtype' appears twice" },
            { "unknown field", Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8), "unknown field 'x'" },
            { "missing offsets", Craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "no 'data_offsets'" },
            { "empty name", Craft("{" + Entry("", "F32", "[2]", 0, 8) + "}", 8), "empty name" },
            { "metadata not an object", Craft("{\"__metadata__\": [\"a\"]}"), "not an object of strings" },
            { "metadata value not a string", Craft("{\"__metadata__\": {\"epochs\": 3}}"), "metadata value 'epochs' is a JSON Number" },
            { "duplicate metadata key", Craft("{\"__metadata__\": {\"k\": \"1\", \"k\": \"2\"}}"), "metadata key 'k' appears twice" },
            { "two metadata entries", Craft("{\"__metadata__\": {}, \"__metadata__\": {}}"), "appears twice" },
            { "lone surrogate in a name", Craft("{" + Entry("\\ud800", "F32", "[2]", 0, 8) + "}", 8), "unreadable JSON value" },
            { "too deep", Craft("{\"__metadata__\":" + new string('[', 20) + new string(']', 20) + "}"), "not valid JSON" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Rejects_hostile_input_with_a_message_naming_the_file_and_fault(string why, byte[] file, string expected)
    {
        var ex = Assert.Throws<ModelFormatException>(() => SafetensorsReader.Read(file, "bad.safetensors"));
        Assert.StartsWith("bad.safetensors: ", ex.Message);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{why}: message was \"{ex.Message}\"");
    }

    [Fact]
    public void Crafted_headers_that_follow_the_rules_are_accepted()
    {
        // Unpadded header (8 + N not a multiple of 8), zero-size tensors sharing an offset, a [] scalar.
        var file = SafetensorsReader.Read(Craft("{" + Entry("z1", "F32", "[0]", 4, 4) + "," + Entry("s", "F32", "[]", 0, 4) + ","
            + Entry("z0", "F64", "[3,0]", 4, 4) + ",\"__metadata__\":{}}", 4, pad: false, fill: 0));
        Assert.Equal(new[] { "s", "z1", "z0" }.Order(), file.Names.Order());
        Assert.Equal(0f, file["s"].ToTensor().Item());
        Assert.Empty(file.Metadata);
        // An F64 after an F32 (offset 4, not a multiple of 8), as PyTorch-written files have.
        var bytes = Craft("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F64", "[1]", 4, 12) + "}", 12);
        BitConverter.GetBytes(-0.75).CopyTo(bytes, bytes.Length - 8);
        Assert.Equal(-0.75, SafetensorsReader.Read(bytes)["b"].ToFloat64Array()[0]);
        // A file that is just the empty header.
        Assert.Empty(SafetensorsReader.Read(Craft("{}")).Tensors);
    }

    [Fact]
    public void Rejecting_a_huge_claimed_size_allocates_almost_nothing()
    {
        // Both a header length and a tensor shape that claim gigabytes, in a file of a few hundred bytes.
        var hugeHeader = Craft("{}", lengthField: MaxBelowLimit());
        var hugeTensor = Craft("{" + Entry("a", "F64", "[100000,100000]", 0, 80_000_000_000) + "}", 8);
        SafetensorsReader.Read(Craft("{}")); // warm up JIT and static state
        foreach (var file in new[] { hugeHeader, hugeTensor })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.Throws<ModelFormatException>(() => SafetensorsReader.Read(file));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024, $"rejecting a {file.Length}-byte file allocated {allocated} bytes");
        }

        static ulong MaxBelowLimit() => (ulong)SafetensorsReader.MaxHeaderBytes - 1;
    }

    [Fact]
    public void Reading_a_valid_file_allocates_about_its_size()
    {
        var writer = new SafetensorsWriter();
        for (int i = 0; i < 20; i++) writer.Add($"layer{i}.weight", new float[25_000], 100, 250);
        var bytes = writer.ToArray();
        SafetensorsReader.Read(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        SafetensorsReader.Read(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(allocated, bytes.Length, bytes.Length + 64 * 1024);
    }
}
