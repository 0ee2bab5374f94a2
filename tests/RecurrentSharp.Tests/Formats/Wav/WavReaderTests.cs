using System.Buffers.Binary;
using RecurrentSharp.Formats.Wav;

namespace RecurrentSharp.Tests.Formats.Wav;

public class WavReaderTests
{
    /// <summary>A RIFF/WAVE file from chunks (id, body); bodies of odd length get their pad byte.</summary>
    private static byte[] Riff(params (string Id, byte[] Body)[] chunks)
    {
        var s = new MemoryStream();
        s.Write("RIFF"u8);
        s.Write(new byte[4]);
        s.Write("WAVE"u8);
        foreach (var (id, body) in chunks)
        {
            s.Write(System.Text.Encoding.ASCII.GetBytes(id));
            s.Write(BitConverter.GetBytes((uint)body.Length));
            s.Write(body);
            if (body.Length % 2 == 1) s.WriteByte(0);
        }
        var bytes = s.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static byte[] Fmt(ushort tag, int channels, int rate, int bits, ushort? extensibleSubformat = null)
    {
        var b = new byte[extensibleSubformat is null ? 16 : 40];
        BinaryPrimitives.WriteUInt16LittleEndian(b, extensibleSubformat is null ? tag : (ushort)0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(rate * channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        if (extensibleSubformat is ushort sub)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 22);            // cbSize
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), (ushort)bits); // valid bits
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), 3);            // channel mask
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24), sub);          // GUID xxxx0000-0000-0010-8000-00aa00389b71
            byte[] guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            guidTail.CopyTo(b.AsSpan(26));
        }
        return b;
    }

    /// <summary>Encodes the values (in [−1, 1)) as the given format, exactly representable ones so the decoded values can be compared bit for bit.</summary>
    private static byte[] Encode(double[] values, int bits, bool isFloat)
    {
        int width = bits / 8;
        var b = new byte[values.Length * width];
        for (int i = 0; i < values.Length; i++)
        {
            var span = b.AsSpan(i * width, width);
            double v = values[i];
            switch (bits, isFloat)
            {
                case (32, true): BinaryPrimitives.WriteSingleLittleEndian(span, (float)v); break;
                case (64, true): BinaryPrimitives.WriteDoubleLittleEndian(span, v); break;
                case (8, false): span[0] = (byte)(v * 128 + 128); break;
                case (16, false): BinaryPrimitives.WriteInt16LittleEndian(span, (short)(v * 32768)); break;
                case (24, false):
                    int x = (int)(v * 8388608);
                    span[0] = (byte)x; span[1] = (byte)(x >> 8); span[2] = (byte)(x >> 16);
                    break;
                default: BinaryPrimitives.WriteInt32LittleEndian(span, (int)(v * 2147483648.0)); break;
            }
        }
        return b;
    }

    private static readonly double[] Values = [0, 0.5, -0.5, -1, 0.25, 0.75, -0.125, 0.0078125];

    [Theory]
    [InlineData(8, false, false)]
    [InlineData(16, false, false)]
    [InlineData(24, false, false)]
    [InlineData(32, false, false)]
    [InlineData(32, true, false)]
    [InlineData(64, true, false)]
    [InlineData(16, false, true)]
    [InlineData(24, false, true)]
    [InlineData(32, true, true)]
    public void Every_sample_format_decodes_to_the_same_values(int bits, bool isFloat, bool extensible)
    {
        ushort tag = isFloat ? (ushort)3 : (ushort)1;
        var file = Riff(("fmt ", Fmt(tag, 1, 16000, bits, extensible ? tag : null)), ("data", Encode(Values, bits, isFloat)));
        var audio = WavReader.Read(file, "test.wav");
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(1, audio.Channels);
        Assert.Equal(bits, audio.BitsPerSample);
        Assert.Equal(isFloat, audio.IsFloat);
        Assert.Equal(Values.Select(v => (float)v).ToArray(), audio.Samples);
    }

    [Fact]
    public void Negative_24_bit_samples_are_sign_extended()
    {
        byte[] data = [0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F];   // −1, −2^23, 2^23 − 1
        var audio = WavReader.Read(Riff(("fmt ", Fmt(1, 1, 8000, 24)), ("data", data)), "t.wav");
        Assert.Equal([-1 / 8388608f, -1f, 8388607 / 8388608f], audio.Samples);
    }

    [Fact]
    public void Channels_are_mixed_to_mono_and_unknown_chunks_skipped()
    {
        // stereo 16-bit: (0.5, −0.25), (1 − 2^-15, 0), an odd-sized LIST chunk (pad byte) and a fact chunk before data
        double[] interleaved = [0.5, -0.25, 0.25, 0.75];
        var file = Riff(("fmt ", Fmt(1, 2, 44100, 16)), ("LIST", new byte[7]), ("fact", new byte[4]), ("data", Encode(interleaved, 16, false)));
        var audio = WavReader.Read(file, "stereo.wav");
        Assert.Equal(2, audio.Channels);
        Assert.Equal(44100, audio.SampleRate);
        Assert.Equal([0.125f, 0.5f], audio.Samples);
    }

    [Fact]
    public void A_trailing_partial_frame_is_ignored()
    {
        var data = Encode([0.5, -0.5, 0.25], 16, false);
        var audio = WavReader.Read(Riff(("fmt ", Fmt(1, 2, 8000, 16)), ("data", data)), "t.wav");
        Assert.Equal([0f], audio.Samples);
    }

    public static TheoryData<string, string> Malformed()
    {
        var good = Riff(("fmt ", Fmt(1, 1, 8000, 16)), ("data", Encode(Values, 16, false)));
        var data = new TheoryData<string, string>();
        void Add(byte[] bytes, string expected) => data.Add(Convert.ToBase64String(bytes), expected);

        var wrongMagic = (byte[])good.Clone(); "RIFX"u8.CopyTo(wrongMagic);
        Add(wrongMagic, "expected \"RIFF\"");
        var wrongType = (byte[])good.Clone(); "AVI "u8.CopyTo(wrongType.AsSpan(8));
        Add(wrongType, "expected \"WAVE\"");
        Add(good[..10], "too short");
        Add(good[..30], "truncated \"fmt \" chunk");                        // the fmt chunk is cut off
        Add(good[..38], "truncated chunk header");                           // 2 bytes of the data chunk's header
        var oversized = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(oversized.AsSpan(40), 0x7FFFFFF0); // data size far beyond the file
        Add(oversized, "declares 2147483632 bytes but only 16 remain");
        Add(Riff(("fmt ", Fmt(1, 0, 8000, 16)), ("data", new byte[4])), "zero channels");
        Add(Riff(("fmt ", Fmt(2, 1, 8000, 4)), ("data", new byte[4])), "unsupported format code 0x0002 (Microsoft ADPCM)");
        Add(Riff(("fmt ", Fmt(0xFFFE, 1, 8000, 16, extensibleSubformat: 0x55)), ("data", new byte[4])), "unsupported format code 0x0055");
        Add(Riff(("fmt ", Fmt(1, 1, 8000, 12)), ("data", new byte[4])), "12-bit integer PCM samples are not supported");
        Add(Riff(("fmt ", Fmt(1, 1, 0, 16)), ("data", new byte[4])), "sample rate of 0 Hz");
        Add(Riff(("data", new byte[4]), ("fmt ", Fmt(1, 1, 8000, 16))), "data chunk comes before any fmt chunk");
        Add(Riff(("fmt ", Fmt(1, 1, 8000, 16))), "no data chunk");
        Add(Riff(("fmt ", new byte[10]), ("data", new byte[4])), "the fmt chunk has 10 bytes");
        var badAlign = Riff(("fmt ", Fmt(1, 2, 8000, 16)), ("data", new byte[8]));
        BinaryPrimitives.WriteUInt16LittleEndian(badAlign.AsSpan(32), 3);
        Add(badAlign, "block align 3 does not match 2 channels of 16 bits");
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_give_an_error_naming_the_file_and_the_fault(string base64, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => WavReader.Read(Convert.FromBase64String(base64), "broken.wav"));
        Assert.Equal("broken.wav", e.FilePath);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_file_on_disk_is_named_in_its_error()
    {
        using var folder = new RecurrentSharp.Tests.Data.TemporaryFolder();
        string path = folder.Write("bad.wav", "RIFF0000WAVEfmt "u8.ToArray());
        var e = Assert.Throws<DataFormatException>(() => WavReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void Every_fsdd_recording_reads_as_8_khz_mono()
    {
        string folder = SharedFolder.Path("speech", "fsdd", "recordings");
        var files = Directory.GetFiles(folder, "*.wav");
        Assert.Equal(2500, files.Length);
        double shortest = double.MaxValue, longest = 0;
        foreach (var f in files)
        {
            var audio = WavReader.Read(f);
            Assert.Equal(8000, audio.SampleRate);
            Assert.Equal(1, audio.Channels);
            Assert.Equal(16, audio.BitsPerSample);
            Assert.Equal((new FileInfo(f).Length - 44) / 2, audio.Samples.Length); // the canonical 44-byte header, 2 bytes a sample
            Assert.All(audio.Samples, s => Assert.InRange(s, -1f, 1f));
            shortest = Math.Min(shortest, audio.Seconds);
            longest = Math.Max(longest, audio.Seconds);
        }
        // the dataset's description: 0.14 to 2.3 seconds
        Assert.InRange(shortest, 0.13, 0.2);
        Assert.InRange(longest, 2.2, 2.4);
    }
}
