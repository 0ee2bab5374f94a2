using System.Security.Cryptography;
using System.Text.Json;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// The data files a model was trained on, recorded in its metadata (their full paths, and one SHA-256 over their bytes
/// in order under <see cref="SavedModel.DataFingerprintKey"/>), so that <c>rnn predict --nearest</c> can read the
/// training examples again and refuse files that moved or changed instead of listing neighbours from other data.
/// </summary>
public static class TrainingFiles
{
    /// <summary>The metadata key of the JSON array of full paths.</summary>
    public const string FilesKey = "data_files";

    /// <summary>The metadata entries that record <paramref name="paths"/>.</summary>
    public static Dictionary<string, string> Record(IReadOnlyList<string> paths) => new()
    {
        [FilesKey] = JsonSerializer.Serialize(paths.Select(Path.GetFullPath).ToArray()),
        [SavedModel.DataFingerprintKey] = Fingerprint(paths),
    };

    /// <summary>The SHA-256 (hex) of the files' bytes, one after another.</summary>
    public static string Fingerprint(IReadOnlyList<string> paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths) hash.AppendData(File.ReadAllBytes(path));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>
    /// The files <paramref name="saved"/> was trained on: where they were, or, with <paramref name="dataPath"/>, that file
    /// (for a model trained on one file) or the files of the same names in that folder or below it. Their bytes must be
    /// the recorded ones; a missing or changed file is a <see cref="TaskUsageException"/> that says which and what to do.
    /// </summary>
    public static IReadOnlyList<string> Locate(SavedModel saved, string? dataPath)
    {
        if (!saved.Metadata.ContainsKey(FilesKey))
            throw new TaskUsageException($"Model {saved.Path} does not record the files it was trained on (it was saved before models did); retrain it to list nearest training examples.");
        var recorded = saved.RequireJson<string[]>(FilesKey);
        string[] files = dataPath switch
        {
            null => recorded,
            _ when File.Exists(dataPath) && recorded.Length == 1 => [dataPath],
            _ when Directory.Exists(dataPath) => recorded.Select(r => Find(dataPath, Path.GetFileName(r))
                ?? throw new TaskUsageException($"--data {dataPath}: no file named {Path.GetFileName(r)} in it or below it (model {saved.Path} was trained on {r}).")).ToArray(),
            _ => throw new TaskUsageException($"--data {dataPath} is neither a folder nor, for a model trained on one file, that file (model {saved.Path} was trained on {string.Join(", ", recorded)})."),
        };
        foreach (var file in files)
            if (!File.Exists(file))
                throw new TaskUsageException($"Model {saved.Path} was trained on {file}, which is not there any more; point at the data with --data FILE or FOLDER.");
        string expected = saved.Require(SavedModel.DataFingerprintKey);
        if (Fingerprint(files) != expected)
            throw new TaskUsageException($"{string.Join(", ", files)} {(files.Length == 1 ? "is" : "are")} not the data model {saved.Path} was trained on " +
                $"(SHA-256 {Fingerprint(files)[..12]}…, the model recorded {expected[..Math.Min(12, expected.Length)]}…): the file changed since, so its training examples cannot be listed.");
        return files;
    }

    private static string? Find(string folder, string name) =>
        File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name)
            : Directory.EnumerateFiles(folder, name, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault();
}
