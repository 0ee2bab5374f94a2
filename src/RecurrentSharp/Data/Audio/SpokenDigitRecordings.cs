using System.Globalization;
using System.Text.RegularExpressions;

namespace RecurrentSharp.Data.Audio;

/// <summary>One recording of the Free Spoken Digit Dataset: <c>{digit}_{speaker}_{index}.wav</c>.</summary>
/// <param name="Path">The file.</param>
/// <param name="Digit">0–9, from the name.</param>
/// <param name="Speaker">The speaker's name.</param>
/// <param name="Index">The take number.</param>
public sealed record SpokenDigitRecording(string Path, int Digit, string Speaker, int Index)
{
    /// <summary>The spelled English word of the digit ("seven").</summary>
    public string Word => SpokenDigitRecordings.Words[Digit];
}

/// <summary>Lists a folder of recordings named like the Free Spoken Digit Dataset's, and spells the digits.</summary>
public static partial class SpokenDigitRecordings
{
    /// <summary>The words the digits 0–9 are spoken as.</summary>
    public static readonly IReadOnlyList<string> Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    [GeneratedRegex(@"^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();

    /// <summary>
    /// Every <c>*.wav</c> file of <paramref name="folder"/>, sorted by name; a WAV file whose name does not follow
    /// <c>{digit}_{speaker}_{index}.wav</c> is a <see cref="DataFormatException"/> naming it.
    /// </summary>
    public static IReadOnlyList<SpokenDigitRecording> List(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"No recordings folder at {folder}.");
        var result = new List<SpokenDigitRecording>();
        foreach (var path in Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal))
            result.Add(Parse(path));
        if (result.Count == 0) throw new DataFormatException(folder, null, "the folder holds no .wav recordings");
        return result;
    }

    /// <summary>The digit, speaker and index in a file name.</summary>
    public static SpokenDigitRecording Parse(string path)
    {
        var m = NamePattern().Match(System.IO.Path.GetFileName(path));
        if (!m.Success) throw new DataFormatException(path, null, "the name does not follow {digit}_{speaker}_{index}.wav (e.g. 7_jackson_12.wav)");
        if (!int.TryParse(m.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            throw new DataFormatException(path, null, $"the take number '{m.Groups[3].Value}' is too large");
        return new SpokenDigitRecording(path, m.Groups[1].Value[0] - '0', m.Groups[2].Value, index);
    }

    /// <summary>The digit whose spelling is closest (fewest edits) to <paramref name="text"/>; ties go to the smaller digit.</summary>
    public static int NearestDigit(string text, Func<string, string, int> distance)
    {
        int best = 0, bestDistance = int.MaxValue;
        for (int d = 0; d < Words.Count; d++)
        {
            int e = distance(text, Words[d]);
            if (e < bestDistance) { best = d; bestDistance = e; }
        }
        return best;
    }
}
