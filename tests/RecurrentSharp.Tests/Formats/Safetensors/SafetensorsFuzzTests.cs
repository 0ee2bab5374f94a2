using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using Xunit.Abstractions;

namespace RecurrentSharp.Tests.Formats.Safetensors;

/// <summary>
/// Feeds the reader thousands of corrupted files. Each must either be rejected with a
/// <see cref="ModelFormatException"/> or load into something self-consistent; any other exception, or a
/// hang, fails the test.
/// </summary>
public class SafetensorsFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 12_000;

    private static readonly string[] Tokens =
        ["\"", "{", "}", "[", "]", ",", ":", "-", "0", "1", "9", "e", ".", " ", "\\", "\\u", "\\ud800", "null", "true", "1e9",
         "F16", "I64", "F64", "__metadata__", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\u00e9", "\0"];

    private static readonly string[] Numbers =
        ["-1", "0", "1", "3", "4", "7", "8", "12", "2147483647", "2147483648", "4294967296", "9223372036854775807",
         "9223372036854775808", "18446744073709551616", "99999999999999999999999", "1.5", "1e3", "-0"];

    private static readonly Regex EntryPattern = new("\"[^\"]*\":\\{\"dtype\"[^}]*\\}");

    private static byte[][] BaseFiles()
    {
        var a = new SafetensorsWriter();
        a.Metadata["config"] = "{\"hidden_size\": 4, \"mode\": \"LSTM\"}";
        a.Metadata["format_version"] = "1";
        a.Add("weight_ih_l0", Tensor.RandomNormal(new RandomGenerator(1), 0f, 1f, 3, 4));
        a.Add("bias", [1f, 2f, 3f], 3);
        a.Add("lengths", [3L, 1L], 2);
        a.Add("loss", [0.5]);
        a.Add("empty", ReadOnlySpan<float>.Empty, 0, 2);
        a.Add("count", [7], 1);

        var b = new SafetensorsWriter();
        for (int i = 0; i < 6; i++) b.Add($"layers.{i}.w", Tensor.RandomNormal(new RandomGenerator(i), 0f, 1f, 2, i + 1));

        var c = new SafetensorsWriter();
        c.Metadata["only"] = "metadata";
        return [a.ToArray(), b.ToArray(), c.ToArray()];
    }

    [Fact]
    public async Task Corrupted_files_are_rejected_cleanly_or_load_consistently()
    {
        var bases = BaseFiles();
        int rejected = 0, loaded = 0;
        var run = Task.Run(() =>
        {
            var random = new RandomGenerator(20240611);
            for (int k = 0; k < Cases; k++)
            {
                var original = bases[random.Next(bases.Length)];
                int mutations = 1 + random.Next(3);
                var file = original;
                var applied = new List<string>();
                for (int m = 0; m < mutations; m++) file = Mutate(file, random, applied);
                try
                {
                    var result = SafetensorsReader.Read(file, $"case{k}");
                    CheckConsistent(result, file);
                    loaded++;
                }
                catch (ModelFormatException ex)
                {
                    Assert.StartsWith($"case{k}: ", ex.Message);
                    rejected++;
                }
                catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"case {k} ({string.Join(", ", applied)}) threw {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
                }
            }
        });
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))) == run, "the fuzz run hung");
        await run;
        output.WriteLine($"{rejected} rejected, {loaded} loaded");
        Assert.Equal(Cases, rejected + loaded);
        // Both outcomes must be exercised, or the mutations are too timid or too brutal.
        Assert.True(rejected > Cases / 4, $"only {rejected} of {Cases} rejected");
        Assert.True(loaded > Cases / 40, $"only {loaded} of {Cases} loaded");
    }

    /// <summary>A loaded file must agree with itself: shapes fill their arrays, the tensors cover the data, and it round-trips.</summary>
    private static void CheckConsistent(SafetensorsFile result, byte[] file)
    {
        long header = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        long data = 0;
        var names = new HashSet<string>();
        foreach (var t in result.Tensors)
        {
            Assert.True(names.Add(t.Name));
            Assert.Equal(TensorShape.ElementCount(t.Shape), t.ElementCount);
            data += (long)t.ElementCount * t.DType.ElementSize();
        }
        Assert.Equal(file.Length - 8 - header, data);
        var writer = new SafetensorsWriter();
        foreach (var (key, value) in result.Metadata) writer.Metadata[key] = value;
        foreach (var t in result.Tensors) SafetensorsTests.AddLike(writer, t);
        var again = SafetensorsReader.Read(writer.ToArray());
        Assert.Equal(result.Metadata, again.Metadata);
        foreach (var t in result.Tensors)
        {
            var u = again[t.Name];
            Assert.Equal(t.DType, u.DType);
            Assert.Equal(t.GetShape(), u.GetShape());
            Assert.Equal(Bits(t), Bits(u));
        }
    }

    private static long[] Bits(SafetensorsTensor t) => t.DType switch
    {
        SafetensorsDType.F32 => t.ToFloat32Array().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray(),
        SafetensorsDType.F64 => t.ToFloat64Array().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        _ => t.ToInt64Array(),
    };

    private static byte[] Mutate(byte[] file, RandomGenerator random, List<string> applied)
    {
        var bytes = (byte[])file.Clone();
        int headerEnd = HeaderEnd(bytes);
        switch (random.Next(11))
        {
            case 0: // flip bits anywhere
            {
                int flips = 1 + random.Next(8);
                for (int i = 0; i < flips && bytes.Length > 0; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                applied.Add("bit flips");
                return bytes;
            }
            case 1: // flip bits in the header only
            {
                if (headerEnd <= 8) goto case 0;
                int flips = 1 + random.Next(3);
                for (int i = 0; i < flips; i++) bytes[random.Next(8, headerEnd)] ^= (byte)(1 << random.Next(8));
                applied.Add("header bit flips");
                return bytes;
            }
            case 2: // cut the tail
                applied.Add("cut tail");
                return bytes[..random.Next(bytes.Length + 1)];
            case 3: // append bytes
            {
                int extra = 1 + random.Next(16);
                var longer = new byte[bytes.Length + extra];
                bytes.CopyTo(longer, 0);
                for (int i = bytes.Length; i < longer.Length; i++) longer[i] = (byte)random.Next(256);
                applied.Add("appended bytes");
                return longer;
            }
            case 4: // rewrite the header length
            {
                if (bytes.Length < 8) goto case 3;
                ulong old = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                ulong value = random.Next(6) switch
                {
                    0 => random.NextUInt64(),
                    1 => old + (ulong)random.Next(1, 64),
                    2 => old - (ulong)random.Next(1, 64),
                    3 => (ulong)random.Next(bytes.Length + 16),
                    4 => 1UL << random.Next(64),
                    _ => ulong.MaxValue - (ulong)random.Next(16),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
                applied.Add($"header length {value}");
                return bytes;
            }
            case 5: // replace, insert or delete a JSON token (keeping the length field, so the JSON text shifts)
            case 6: // the same, but fix up the length field afterwards
            {
                if (headerEnd <= 9) goto case 0;
                int at = random.Next(9, headerEnd);
                var token = Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]);
                int remove = random.Next(3);
                remove = Math.Min(remove, headerEnd - at);
                var edited = bytes[..at].Concat(token).Concat(bytes[(at + remove)..]).ToArray();
                if (random.Next(2) == 0 && edited.Length >= 8)
                    BinaryPrimitives.WriteUInt64LittleEndian(edited, (ulong)(headerEnd - 8 + token.Length - remove));
                applied.Add("token edit");
                return edited;
            }
            case 7: // replace a number in the header (shape sizes, offsets) and fix the length field
            {
                var text = HeaderText(bytes, headerEnd);
                if (text is null) goto case 0;
                var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiDigit(text[i - 1]))).ToList();
                if (digits.Count == 0) goto case 0;
                int start = digits[random.Next(digits.Count)], end = start;
                while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
                string edited = text[..start] + Numbers[random.Next(Numbers.Length)] + text[end..];
                applied.Add("number edit");
                return WithHeader(bytes, headerEnd, edited);
            }
            case 8: // swap a dtype or a key name
            {
                var text = HeaderText(bytes, headerEnd);
                if (text is null) goto case 0;
                string[] from = ["\"F32\"", "\"F64\"", "\"I64\"", "\"I32\"", "\"shape\"", "\"data_offsets\"", "\"dtype\""];
                string[] to = ["\"F64\"", "\"F32\"", "\"I32\"", "\"I64\"", "\"BF16\"", "\"shape \"", "\"DTYPE\"", "\"data_offsets\""];
                string f = from[random.Next(from.Length)];
                int index = text.IndexOf(f, StringComparison.Ordinal);
                if (index < 0) goto case 0;
                applied.Add("field swap");
                return WithHeader(bytes, headerEnd, text[..index] + to[random.Next(to.Length)] + text[(index + f.Length)..]);
            }
            case 10: // flip bits in the data section only (undetectable by design: must load, with the flipped values)
            {
                if (headerEnd < 8 || headerEnd >= bytes.Length) goto case 0;
                bytes[random.Next(headerEnd, bytes.Length)] ^= (byte)(1 << random.Next(8));
                applied.Add("data bit flip");
                return bytes;
            }
            default: // duplicate or drop a whole entry
            {
                var text = HeaderText(bytes, headerEnd);
                if (text is null) goto case 0;
                var entries = EntryPattern.Matches(text);
                if (entries.Count == 0) goto case 0;
                var entry = entries[random.Next(entries.Count)];
                string copy = random.Next(2) == 0 ? entry.Value : "\"copy\"" + entry.Value[(entry.Value.IndexOf("\":{", StringComparison.Ordinal) + 1)..];
                string edited = random.Next(2) == 0
                    ? text[..(entry.Index + entry.Length)] + "," + copy + text[(entry.Index + entry.Length)..]
                    : text[..entry.Index] + text[(entry.Index + entry.Length)..];
                applied.Add("entry edit");
                return WithHeader(bytes, headerEnd, edited);
            }
        }
    }

    /// <summary>8 + the header length when that lies within the file, else 8.</summary>
    private static int HeaderEnd(byte[] bytes)
    {
        if (bytes.Length < 8) return 0;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return n <= (ulong)(bytes.Length - 8) ? 8 + (int)n : 8;
    }

    private static string? HeaderText(byte[] bytes, int headerEnd) =>
        headerEnd > 8 ? Encoding.UTF8.GetString(bytes, 8, headerEnd - 8) : null;

    private static byte[] WithHeader(byte[] bytes, int headerEnd, string header)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + json.Length + (bytes.Length - headerEnd)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        bytes.AsSpan(headerEnd).CopyTo(result.AsSpan(8 + json.Length));
        return result;
    }
}
