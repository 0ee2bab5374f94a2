namespace RecurrentSharp.Tests;

/// <summary>
/// Finds the shared data and fixtures folder (<c>../shared</c> beside the repository; CI clones the
/// repository next to it) by walking up from the test assembly's folder.
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> root = new(Locate);

    /// <summary>The <c>shared</c> folder.</summary>
    public static string Root => root.Value;

    /// <summary>A path inside <c>shared/fixtures</c>.</summary>
    public static string Fixtures(params string[] parts) => Path.Combine([Root, "fixtures", .. parts]);

    /// <summary>A path inside <c>shared/data</c> (or the folder named by RNN_DATA).</summary>
    public static string Data(params string[] parts)
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("RNN_DATA");
        string dataRoot = !string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment) ? fromEnvironment : Path.Combine(Root, "data");
        return Path.Combine([dataRoot, .. parts]);
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures")) && Directory.Exists(Path.Combine(candidate, "data")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No 'shared' folder with fixtures/ and data/ was found above {AppContext.BaseDirectory}; clone the repository beside ../shared.");
    }
}
