namespace RecurrentSharp.Tests.Data;

/// <summary>
/// Finds the shared data folder (<c>shared/data</c>, see its SOURCES.md) by walking up from the test
/// assembly: locally it sits beside the worktrees, in CI the repository is cloned beside <c>../shared</c>.
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> DataFolder = new(Locate);

    /// <summary>The absolute path of <c>shared/data</c>.</summary>
    public static string Data => DataFolder.Value;

    /// <summary>A path under <c>shared/data</c>, e.g. <c>Path("sms-spam", "SMSSpamCollection")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Data, .. parts]);

    private static string Locate()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = System.IO.Path.Combine(folder.FullName, "shared", "data");
            if (File.Exists(System.IO.Path.Combine(candidate, "SOURCES.md"))) return candidate;
        }
        throw new InvalidOperationException(
            $"The shared data folder was not found: no 'shared/data/SOURCES.md' in '{AppContext.BaseDirectory}' or any folder above it. " +
            "Clone or link the shared material so that 'shared/data' sits beside (or above) the repository.");
    }
}
