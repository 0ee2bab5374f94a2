namespace RecurrentSharp.Data;

/// <summary>
/// Decodes Windows-1252 ("ANSI", the single-byte encoding of the rt-polarity files). Bytes 0x00-0x7F
/// and 0xA0-0xFF are the same code points as Latin-1; 0x80-0x9F hold typographic characters
/// (0x85 "…", 0x91/0x92 quotes, 0x96/0x97 dashes) where Latin-1 has C1 control codes — which is why
/// a Latin-1 decoder turns 0x85 into NEL (U+0085), a line break to Unicode-aware splitters.
/// </summary>
/// <remarks>A table of 32 entries rather than the code-page provider, so that decoding needs no global registration.</remarks>
public static class Windows1252
{
    // 0x80..0x9F. The five bytes Windows leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the
    // C1 control of the same value, as Windows' own MultiByteToWideChar does.
    private static readonly char[] HighControls =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    /// <summary>The character a Windows-1252 byte stands for.</summary>
    public static char ToChar(byte b) => b is >= 0x80 and <= 0x9F ? HighControls[b - 0x80] : (char)b;

    /// <summary>Decodes a Windows-1252 byte sequence (every byte is one UTF-16 character).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ToChar(bytes[i]);
        return new string(chars);
    }
}
