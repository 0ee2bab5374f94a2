using System.Buffers.Binary;

namespace RecurrentSharp.Formats.Wav;

/// <summary>A decoded WAV file: mono samples in [−1, 1] (channels averaged) and what the header said.</summary>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Samples">One value per frame: the mean of the channels, integers scaled by 1/2^(bits−1) (8-bit: (b − 128)/128).</param>
/// <param name="Channels">The channel count of the file (before mixing).</param>
/// <param name="BitsPerSample">8, 16, 24, 32 (integer or float) or 64 (float).</param>
/// <param name="IsFloat">IEEE float samples (format 3, or its WAVE_FORMAT_EXTENSIBLE subformat).</param>
public sealed record WavAudio(int SampleRate, float[] Samples, int Channels, int BitsPerSample, bool IsFloat)
{
    /// <summary>The duration in seconds.</summary>
    public double Seconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// Reads RIFF/WAVE files: PCM integer 8 (unsigned), 16, 24 and 32 bits, IEEE float 32 and 64 bits, also inside
/// WAVE_FORMAT_EXTENSIBLE; multi-channel audio is mixed to mono; unknown chunks (LIST, fact, cue, …) are skipped.
/// Hostile-input safe: every size in the header is checked against the bytes actually present before it is
/// used, so nothing is allocated beyond what the file holds (the samples are one float per frame of data
/// present), and every malformation is a <see cref="DataFormatException"/> naming the file and what is wrong.
/// It does not resample: callers that need one rate check <see cref="WavAudio.SampleRate"/>.
/// </summary>
public static class WavReader
{
    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    /// <summary>Reads and decodes a WAV file.</summary>
    public static WavAudio Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException(path, null, $"cannot read the file: {e.Message}", e); }
        return Read(bytes, path);
    }

    /// <summary>Decodes the bytes of a WAV file; <paramref name="source"/> names it in error messages.</summary>
    public static WavAudio Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 12) throw Error(source, $"{bytes.Length} bytes are too short for a RIFF/WAVE header (12 bytes)");
        if (!bytes[..4].SequenceEqual("RIFF"u8))
            throw Error(source, $"not a WAV file: it starts with {Describe(bytes[..4])}, expected \"RIFF\"");
        if (!bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw Error(source, $"a RIFF file of type {Describe(bytes.Slice(8, 4))}, expected \"WAVE\"");

        Format? format = null;
        int position = 12;
        while (position < bytes.Length)
        {
            if (bytes.Length - position < 8)
                throw Error(source, $"truncated chunk header at byte {position}: {bytes.Length - position} bytes left, a chunk header needs 8");
            var id = bytes.Slice(position, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(position + 4, 4));
            int body = position + 8;
            long available = bytes.Length - body;
            string name = Describe(id);
            if (id.SequenceEqual("data"u8))
            {
                if (format is null) throw Error(source, "the data chunk comes before any fmt chunk");
                if (size > available)
                    throw Error(source, $"the data chunk declares {size} bytes but only {available} remain in the {bytes.Length}-byte file");
                return Decode(format.Value, bytes.Slice(body, (int)size), source);
            }
            if (size > available)
                throw Error(source, $"truncated {name} chunk at byte {position}: it declares {size} bytes but only {available} remain");
            if (id.SequenceEqual("fmt "u8)) format = ParseFormat(bytes.Slice(body, (int)size), source);
            // chunks are padded to an even size
            position = (int)Math.Min(bytes.Length, body + (long)size + (size & 1));
        }
        throw Error(source, format is null ? "no fmt chunk and no data chunk" : "no data chunk");
    }

    private readonly record struct Format(int Channels, int SampleRate, int BlockAlign, int BitsPerSample, bool IsFloat);

    private static Format ParseFormat(ReadOnlySpan<byte> fmt, string source)
    {
        if (fmt.Length < 16) throw Error(source, $"the fmt chunk has {fmt.Length} bytes, at least 16 are needed");
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            // WAVEFORMATEXTENSIBLE: cbSize (2), valid bits (2), channel mask (4), sub-format GUID (16) whose first two bytes are the format code
            if (fmt.Length < 40) throw Error(source, $"the WAVE_FORMAT_EXTENSIBLE fmt chunk has {fmt.Length} bytes, 40 are needed");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        bool isFloat = tag switch
        {
            FormatPcm => false,
            FormatFloat => true,
            _ => throw Error(source, $"unsupported format code 0x{tag:X4} ({FormatName(tag)}); only PCM (1) and IEEE float (3) are read"),
        };
        if (channels == 0) throw Error(source, "the fmt chunk declares zero channels");
        if (sampleRate == 0 || sampleRate > int.MaxValue) throw Error(source, $"the fmt chunk declares a sample rate of {sampleRate} Hz");
        bool supported = isFloat ? bits is 32 or 64 : bits is 8 or 16 or 24 or 32;
        if (!supported) throw Error(source, $"{bits}-bit {(isFloat ? "float" : "integer PCM")} samples are not supported");
        if (blockAlign != channels * (bits / 8))
            throw Error(source, $"block align {blockAlign} does not match {channels} channels of {bits} bits ({channels * (bits / 8)} bytes)");
        return new Format(channels, (int)sampleRate, blockAlign, bits, isFloat);
    }

    private static WavAudio Decode(Format f, ReadOnlySpan<byte> data, string source)
    {
        int frames = data.Length / f.BlockAlign;   // a trailing partial frame is ignored
        int bytesPerSample = f.BitsPerSample / 8;
        var samples = new float[frames];
        double scale = 1.0 / f.Channels;
        for (int i = 0; i < frames; i++)
        {
            var frame = data.Slice(i * f.BlockAlign, f.BlockAlign);
            double sum = 0;
            for (int c = 0; c < f.Channels; c++)
                sum += Sample(frame.Slice(c * bytesPerSample, bytesPerSample), f);
            samples[i] = (float)(sum * scale);
        }
        return new WavAudio(f.SampleRate, samples, f.Channels, f.BitsPerSample, f.IsFloat);
    }

    /// <summary>One sample as a value in [−1, 1] (floats as stored).</summary>
    private static double Sample(ReadOnlySpan<byte> b, Format f) => (f.BitsPerSample, f.IsFloat) switch
    {
        (32, true) => BinaryPrimitives.ReadSingleLittleEndian(b),
        (64, true) => BinaryPrimitives.ReadDoubleLittleEndian(b),
        (8, false) => (b[0] - 128) / 128.0,                                    // 8-bit PCM is unsigned, 128 is silence
        (16, false) => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768.0,
        (24, false) => ((b[0] | (b[1] << 8) | (b[2] << 16)) << 8 >> 8) / 8388608.0, // sign-extend the 24-bit value
        _ => BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648.0,
    };

    private static string FormatName(ushort tag) => tag switch
    {
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "mu-law",
        0x11 => "IMA ADPCM",
        0x55 => "MPEG layer 3",
        _ => "unknown",
    };

    private static string Describe(ReadOnlySpan<byte> id)
    {
        foreach (byte b in id)
            if (b < 0x20 || b > 0x7E) return "0x" + Convert.ToHexString(id);
        return "\"" + System.Text.Encoding.ASCII.GetString(id) + "\"";
    }

    private static DataFormatException Error(string source, string reason) => new(source, null, reason);
}
