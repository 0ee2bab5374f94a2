namespace RecurrentSharp.Data;

/// <summary>One caption of Flickr8k.token.txt.</summary>
/// <param name="Image">The image's file name (e.g. <c>1000268201_693b08cb0e.jpg</c>).</param>
/// <param name="Number">Its number among the image's captions (0–4).</param>
/// <param name="Text">The caption as written.</param>
/// <param name="Line">The 1-based line it came from.</param>
public sealed record ImageCaption(string Image, int Number, string Text, int Line);

/// <summary>
/// Reads the Flickr8k text files (Hodosh et al. 2013): <c>Flickr8k.token.txt</c>, one caption a line as
/// <c>name.jpg#k&lt;TAB&gt;caption</c>, and the split lists (<c>Flickr_8k.trainImages.txt</c> etc.), one image file
/// name a line. Malformed lines are skipped and counted (or, with <c>strict</c>, a <see cref="DataFormatException"/>
/// naming the file and line). Which captions have an image is the task's business: the token file files one block
/// of five captions under <c>2258277193_586949ec62.jpg.1</c>, a name with no image.
/// </summary>
public static class Flickr8kReader
{
    /// <summary>Reads a token file.</summary>
    public static ReadResult<ImageCaption> ReadCaptions(string path, bool strict = false) => LineRecordReader.Read<ImageCaption>(path, strict, ParseCaption);

    /// <summary>Reads a split list (image file names; empty lines are skipped silently).</summary>
    public static ReadResult<string> ReadImageList(string path, bool strict = false)
    {
        var result = LineRecordReader.Read<string>(path, strict, ParseName);
        return result with { Records = result.Records.Where(n => n.Length > 0).ToList() };
    }

    private static string? ParseCaption(string line, int lineNumber, out ImageCaption record)
    {
        record = null!;
        if (line.Length == 0) return "empty line";
        int tab = line.IndexOf('\t');
        if (tab < 0) return "no TAB between 'name.jpg#k' and the caption";
        string key = line[..tab];
        int hash = key.LastIndexOf('#');
        if (hash <= 0 || !int.TryParse(key.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number) || number > 99)
            return $"'{MalformedLineLog.Shorten(key)}' is not 'name.jpg#k' with a caption number k";
        string text = line[(tab + 1)..].Trim();
        if (text.Length == 0) return "empty caption";
        record = new ImageCaption(key[..hash], number, text, lineNumber);
        return null;
    }

    private static string? ParseName(string line, int lineNumber, out string record)
    {
        record = line.Trim();
        if (record.Length > 255 || record.IndexOfAny(['/', '\\', '\t', '\0']) >= 0)
            return $"'{MalformedLineLog.Shorten(record)}' is not an image file name";
        return null;
    }
}
