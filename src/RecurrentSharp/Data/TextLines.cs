using System.Text;
using System.Text.Unicode;

namespace RecurrentSharp.Data;

/// <summary>
/// Reads a data file and cuts it into lines the way every published format here needs: on <c>'\n'</c>
/// only (never on U+0085 NEL, U+2028 or a lone <c>'\r'</c>, which occur inside records), with one
/// trailing <c>'\r'</c> removed (CRLF files) and no empty line after a final newline.
/// </summary>
internal static class TextLines
{
    /// <summary>
    /// All bytes of a file, or a <see cref="DatasetMissingException"/> naming the path; a file that exists but cannot
    /// be read (no permission, 2 GiB or more, an I/O error) is a <see cref="DataFormatException"/> naming it.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!File.Exists(path))
            throw new DatasetMissingException(Directory.Exists(path)
                ? $"Expected a data file but '{path}' is a folder."
                : $"Data file not found: '{Path.GetFullPath(path)}'.");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, $"cannot be read ({e.Message})", e);
        }
    }

    /// <summary>The lines of <paramref name="bytes"/> as (1-based line number, bytes without the line end); a leading UTF-8 byte-order mark is dropped.</summary>
    public static IEnumerable<(int LineNumber, ReadOnlyMemory<byte> Bytes)> Split(byte[] bytes)
    {
        int start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        int lineNumber = 0;
        while (start < bytes.Length)
        {
            int newline = Array.IndexOf(bytes, (byte)'\n', start);
            int end = newline < 0 ? bytes.Length : newline;
            int contentEnd = end > start && bytes[end - 1] == (byte)'\r' ? end - 1 : end;
            yield return (++lineNumber, bytes.AsMemory(start, contentEnd - start));
            start = end + 1;
        }
    }

    /// <summary>Decodes one line as strict UTF-8; false (and a reason) when it holds invalid bytes.</summary>
    public static bool TryDecodeUtf8(ReadOnlySpan<byte> line, out string text, out string reason)
    {
        if (Utf8.IsValid(line))
        {
            text = Encoding.UTF8.GetString(line);
            reason = "";
            return true;
        }
        int offset = FirstInvalidUtf8Offset(line);
        text = "";
        reason = $"invalid UTF-8 (byte 0x{line[offset]:X2} at column {offset + 1}); is the file in another encoding?";
        return false;
    }

    /// <summary>The byte offset of the first byte that does not start a valid UTF-8 sequence.</summary>
    public static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done) return i;
            i += consumed;
        }
        return -1;
    }
}
