using System.Globalization;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data;

/// <summary>
/// Reads the raw inertial signals of UCI HAR (Anguita et al. 2013; 30 volunteers, 6 activities,
/// 50 Hz, windows of 2.56 s = 128 samples) in its original layout:
/// <code>
/// UCI HAR Dataset/activity_labels.txt                     "id name" per line
/// UCI HAR Dataset/&lt;split&gt;/y_&lt;split&gt;.txt                  activity id (1-6), one per window
/// UCI HAR Dataset/&lt;split&gt;/subject_&lt;split&gt;.txt            subject id (1-30), one per window
/// UCI HAR Dataset/&lt;split&gt;/Inertial Signals/&lt;channel&gt;_&lt;split&gt;.txt   one window per line, 128 values
/// </code>
/// Signal files may be the original fixed-width, whitespace-separated <c>.txt</c> (<c>  1.1653150e-002 …</c>)
/// or a comma-separated <c>.csv</c> of the same rows (as in the shared data folder). Line i of every
/// file describes window i; a malformed line drops that window from all files.
/// </summary>
public static class HarReader
{
    /// <summary>The nine signal channels, in the order of the last axis of <see cref="HarSplit.Signals"/>.</summary>
    public static readonly IReadOnlyList<string> Channels =
    [
        "body_acc_x", "body_acc_y", "body_acc_z",
        "body_gyro_x", "body_gyro_y", "body_gyro_z",
        "total_acc_x", "total_acc_y", "total_acc_z",
    ];

    /// <summary>Samples per window.</summary>
    public const int WindowLength = 128;

    /// <summary>
    /// The dataset folder (the one holding <c>activity_labels.txt</c>): <paramref name="path"/> itself or its
    /// <c>UCI HAR Dataset</c> subfolder.
    /// </summary>
    public static string FindRoot(string path)
    {
        foreach (string candidate in new[] { path, Path.Combine(path, "UCI HAR Dataset"), Path.Combine(path, "har", "UCI HAR Dataset") })
            if (File.Exists(Path.Combine(candidate, "activity_labels.txt"))) return candidate;
        throw new DatasetMissingException($"No UCI HAR dataset in '{Path.GetFullPath(path)}': expected 'activity_labels.txt' there or in its 'UCI HAR Dataset' subfolder.");
    }

    /// <summary>The activity names by 0-based class index (id − 1), whatever the line order of the file.</summary>
    public static IReadOnlyList<string> ReadActivityLabels(string path)
    {
        var byId = new SortedDictionary<int, string>();
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            string line = System.Text.Encoding.ASCII.GetString(bytes.Span).Trim();
            if (line.Length == 0) continue;
            string[] parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id < 1)
                throw new DataFormatException(path, lineNumber, "expected 'id name' with a positive integer id");
            if (!byId.TryAdd(id, parts[1].Trim()))
                throw new DataFormatException(path, lineNumber, $"activity id {id} appears twice");
        }
        if (byId.Count == 0) throw new DataFormatException(path, null, "holds no activity labels");
        if (byId.Keys.Last() != byId.Count)
            throw new DataFormatException(path, null, $"activity ids should be 1..{byId.Count} without gaps, found {string.Join(", ", byId.Keys)}");
        return byId.Values.ToArray();
    }

    /// <summary>Reads a split (<c>"train"</c> or <c>"test"</c>) from the dataset folder (see <see cref="FindRoot"/>).</summary>
    public static HarSplit Read(string path, string split, bool strict = false)
    {
        string root = FindRoot(path);
        var activityNames = ReadActivityLabels(Path.Combine(root, "activity_labels.txt"));
        string splitFolder = Path.Combine(root, split);
        var skipped = new List<MalformedLine>();

        string labelsPath = Path.Combine(splitFolder, $"y_{split}.txt");
        string subjectsPath = Path.Combine(splitFolder, $"subject_{split}.txt");
        var labelLines = ReadIntegers(labelsPath, 1, activityNames.Count, strict, skipped);
        var subjectLines = ReadIntegers(subjectsPath, 1, int.MaxValue, strict, skipped);
        int windows = labelLines.Length;
        CheckSameLineCount(subjectsPath, subjectLines.Length, labelsPath, windows);

        var channelValues = new float[Channels.Count][];
        var valid = new bool[windows];
        for (int w = 0; w < windows; w++) valid[w] = labelLines[w] is not null && subjectLines[w] is not null;
        for (int c = 0; c < Channels.Count; c++)
        {
            string signalPath = FindSignalFile(splitFolder, Channels[c], split);
            channelValues[c] = ReadSignalFile(signalPath, windows, labelsPath, valid, strict, skipped);
        }

        int kept = valid.Count(v => v);
        if (kept == 0) throw new DataFormatException(labelsPath, null, "no valid windows in this split");
        var signals = Tensor.Zeros(kept, WindowLength, Channels.Count);
        var data = signals.Data;
        var labels = new int[kept];
        var subjects = new int[kept];
        int k = 0;
        for (int w = 0; w < windows; w++)
        {
            if (!valid[w]) continue;
            labels[k] = labelLines[w]!.Value - 1;
            subjects[k] = subjectLines[w]!.Value;
            // Interleave the channel files: signals[k, t, c] = channel c's value t on line w.
            for (int t = 0; t < WindowLength; t++)
                for (int c = 0; c < Channels.Count; c++)
                    data[(k * WindowLength + t) * Channels.Count + c] = channelValues[c][w * WindowLength + t];
            k++;
        }
        return new HarSplit(signals, labels, subjects, activityNames, skipped);
    }

    private static string FindSignalFile(string splitFolder, string channel, string split)
    {
        string folder = Path.Combine(splitFolder, "Inertial Signals");
        string txt = Path.Combine(folder, $"{channel}_{split}.txt");
        string csv = Path.Combine(folder, $"{channel}_{split}.csv");
        if (File.Exists(txt)) return txt;
        if (File.Exists(csv)) return csv;
        throw new DatasetMissingException($"UCI HAR signal file not found: '{Path.GetFullPath(txt)}' (or the .csv variant). The {split} split needs all nine: {string.Join(", ", Channels.Select(ch => $"{ch}_{split}.txt"))}.");
    }

    private static void CheckSameLineCount(string path, int lines, string referencePath, int referenceLines)
    {
        if (lines != referenceLines)
            throw new DataFormatException(path, null, $"has {lines} lines but '{referencePath}' has {referenceLines}: line i of every file must describe window i");
    }

    /// <summary>One integer per line in [min, max]; a malformed line gives null at its position (or throws when strict).</summary>
    private static int?[] ReadIntegers(string path, int min, int max, bool strict, List<MalformedLine> skipped)
    {
        var log = new MalformedLineLog(path, strict);
        var values = new List<int?>();
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            if (int.TryParse(bytes.Span, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
                values.Add(value);
            else
            {
                log.Report(lineNumber, $"expected one integer in {min}..{(max == int.MaxValue ? "" : max)}");
                values.Add(null);
            }
        }
        skipped.AddRange(log.Skipped);
        return values.ToArray();
    }

    /// <summary>
    /// Reads a signal file (128 numbers per line, separated by commas or white space) into
    /// windows × 128 floats; marks malformed lines invalid.
    /// </summary>
    private static float[] ReadSignalFile(string path, int windows, string labelsPath, bool[] valid, bool strict, List<MalformedLine> skipped)
    {
        var log = new MalformedLineLog(path, strict);
        var values = new float[windows * WindowLength];
        int lines = 0;
        foreach (var (lineNumber, bytes) in TextLines.Split(TextLines.ReadAllBytes(path)))
        {
            lines = lineNumber;
            if (lineNumber > windows) continue; // counted, reported below
            if (!TryParseWindow(bytes.Span, values.AsSpan((lineNumber - 1) * WindowLength, WindowLength), out string reason))
            {
                log.Report(lineNumber, reason);
                valid[lineNumber - 1] = false;
            }
        }
        CheckSameLineCount(path, lines, labelsPath, windows);
        skipped.AddRange(log.Skipped);
        return values;
    }

    private static bool TryParseWindow(ReadOnlySpan<byte> line, Span<float> window, out string reason)
    {
        int count = 0, i = 0;
        while (true)
        {
            while (i < line.Length && IsSeparator(line[i])) i++;
            if (i >= line.Length) break;
            int start = i;
            while (i < line.Length && !IsSeparator(line[i])) i++;
            var token = line[start..i];
            if (count == WindowLength)
            {
                reason = $"more than {WindowLength} values";
                return false;
            }
            if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            {
                reason = $"value {count + 1} ('{MalformedLineLog.Shorten(System.Text.Encoding.UTF8.GetString(token))}') is not a number";
                return false;
            }
            window[count++] = value;
        }
        reason = count == WindowLength ? "" : $"{count} values, expected {WindowLength}";
        return count == WindowLength;
    }

    private static bool IsSeparator(byte b) => b is (byte)',' or (byte)' ' or (byte)'\t';
}
