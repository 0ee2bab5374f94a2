using System.Text;

namespace RecurrentSharp.Data;

/// <summary>
/// A dataset of thousands of files described by one manifest file instead of a catalog entry per
/// file: <c>MANIFEST.sha256</c> in the dataset's folder lists <c>sha256  path</c> (the format of
/// <c>sha256sum</c>, paths relative to that folder) for every other file of the folder. The manifest
/// itself is a <see cref="DatasetFile"/> of the catalog (size and sha256 known), so a member's sha256 is
/// as trustworthy as a catalog entry's.
/// </summary>
/// <param name="Folder">The dataset's folder under the data folder, '/' separated (e.g. <c>speech/fsdd</c>).</param>
/// <param name="MemberBaseUrl">Where a member can be downloaded (the member's path is appended), or null
/// when its files have no public source of their own (they must be placed by hand).</param>
public sealed record DatasetManifest(string Folder, Uri? MemberBaseUrl)
{
    /// <summary>The manifest's file name inside <see cref="Folder"/>.</summary>
    public const string FileName = "MANIFEST.sha256";

    /// <summary>The manifest's path under the data folder.</summary>
    public string RelativePath => $"{Folder}/{FileName}";

    /// <summary>True when <paramref name="relativePath"/> ('/' separated) lies inside this dataset's folder.</summary>
    public bool Contains(string relativePath) => relativePath.StartsWith(Folder + "/", StringComparison.Ordinal);

    /// <summary>
    /// Reads a manifest: member path (relative to the manifest's folder) → lower-case hex sha256. A line
    /// that is not <c>64 hex digits, two spaces (or space and '*'), a relative path</c>, a path that climbs
    /// out of the folder, or a path listed twice is a <see cref="DataFormatException"/> naming the file and line.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNumber = 0;
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        while (ReadLine(reader, path, lineNumber + 1) is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (line.Length < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') || !IsLowerHex(line.AsSpan(0, 64)))
                throw new DataFormatException(path, lineNumber, $"expected '<64 hex digits>  <path>', got '{Shorten(line)}'");
            string member = line[66..];
            if (member.StartsWith('/') || member.Split('/').Any(part => part is "" or "." or ".."))
                throw new DataFormatException(path, lineNumber, $"the path '{Shorten(member)}' is not a plain relative path inside the folder");
            if (!members.TryAdd(member, line[..64]))
                throw new DataFormatException(path, lineNumber, $"'{Shorten(member)}' is listed twice");
        }
        return members;
    }

    private static string? ReadLine(StreamReader reader, string path, int lineNumber)
    {
        try { return reader.ReadLine(); }
        catch (DecoderFallbackException e) { throw new DataFormatException(path, lineNumber, "the manifest is not valid UTF-8", e); }
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
