using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Tensors;
using Xunit.Abstractions;

namespace RecurrentSharp.Tests.Formats.Onnx;

/// <summary>
/// Feeds the ONNX reader thousands of corrupted files (seeded mutations of PyTorch exports and of a model
/// with every attribute kind). Each must be rejected with a <see cref="ModelFormatException"/> naming the
/// case, or read into a model that writes and reads back identically; any other exception or a hang fails.
/// </summary>
public class OnnxFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 6_000;

    private static byte[][] BaseFiles() =>
    [
        OnnxWriter.ToArray(OnnxWireTests.SampleModel()),
        File.ReadAllBytes(Path.Combine(OnnxFixture.Root, "gru_L1_T6_B2_I4_H9_h0.onnx")),
        File.ReadAllBytes(Path.Combine(OnnxFixture.Root, "lstm_L2_bi_T6_B2_I5_H7_h0.onnx")),
        File.ReadAllBytes(Path.Combine(OnnxFixture.Root, "classifier_lstm_L1_V30_E12_H24_K4_T9_B3.onnx")),
    ];

    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x05, 0x07, 0x08, 0x0A, 0x12, 0x3A, 0x42, 0x7F, 0x80, 0xFF];

    [Fact]
    public async Task Corrupted_files_are_rejected_cleanly_or_read_consistently()
    {
        var bases = BaseFiles();
        int rejected = 0, read = 0;
        var run = Task.Run(() =>
        {
            var random = new RandomGenerator(20261202);
            for (int k = 0; k < Cases; k++)
            {
                var file = bases[random.Next(bases.Length)];
                var applied = new List<string>();
                int mutations = 1 + random.Next(4);
                for (int m = 0; m < mutations; m++) file = Mutate(file, random, applied);
                try
                {
                    var model = OnnxReader.Read(file, $"case{k}");
                    var again = OnnxWriter.ToArray(model);
                    Assert.Equal(again, OnnxWriter.ToArray(OnnxReader.Read(again, "rewritten")));
                    foreach (var t in model.Graph.Initializers)
                        Assert.Equal(OnnxTensor.ElementCount(t.Dims, t.Name) * OnnxTensor.ElementSize(t.DataType, t.Name), t.Data.Length);
                    read++;
                }
                catch (ModelFormatException e)
                {
                    Assert.StartsWith($"case{k}: ", e.Message);
                    rejected++;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"case {k} ({string.Join(", ", applied)}) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }
        });
        if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))) != run) Assert.Fail("the reader hung on a corrupted file");
        await run;
        output.WriteLine($"{rejected} rejected, {read} read");
        Assert.Equal(Cases, rejected + read);
        Assert.True(rejected > Cases / 4, $"only {rejected} of {Cases} mutations were rejected: the mutations are too gentle");
        Assert.True(read > 50, $"only {read} of {Cases} mutated files still read: the mutations are too destructive");
    }

    private static byte[] Mutate(byte[] file, RandomGenerator random, List<string> applied)
    {
        if (file.Length == 0) return file;
        int at = random.Next(file.Length);
        switch (random.Next(7))
        {
            case 0:
                applied.Add($"flip bit at {at}");
                var a = (byte[])file.Clone();
                a[at] ^= (byte)(1 << random.Next(8));
                return a;
            case 1:
                applied.Add($"byte {at} := interesting");
                var b = (byte[])file.Clone();
                b[at] = Interesting[random.Next(Interesting.Length)];
                return b;
            case 2:
                applied.Add($"truncate at {at}");
                return file[..at];
            case 3:
            {
                int count = 1 + random.Next(Math.Min(64, file.Length - at));
                applied.Add($"delete {count} at {at}");
                return [.. file[..at], .. file[(at + count)..]];
            }
            case 4:
            {
                applied.Add($"insert varint run at {at}");
                var run = new byte[1 + random.Next(10)];
                for (int i = 0; i < run.Length; i++) run[i] = (byte)(0x80 | random.Next(128));
                return [.. file[..at], .. run, .. file[at..]];
            }
            case 5:
            {
                int count = 1 + random.Next(Math.Min(200, file.Length - at));
                int to = random.Next(file.Length);
                applied.Add($"copy {count} from {at} to {to}");
                return [.. file[..to], .. file.AsSpan(at, count), .. file[to..]];
            }
            default:
            {
                applied.Add($"random byte at {at}");
                var c = (byte[])file.Clone();
                c[at] = (byte)random.Next(256);
                return c;
            }
        }
    }
}
