namespace RecurrentSharp.Tests;

/// <summary>
/// Finds the shared data and fixtures folder (<c>shared/</c> beside the repository; CI clones the
/// repository next to it) by walking up from the test assembly's folder. Tests never download anything.
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> root = new(Locate);

    /// <summary>The <c>shared</c> folder.</summary>
    public static string Root => root.Value;

    /// <summary>The <c>shared/data</c> folder.</summary>
    public static string DataRoot => System.IO.Path.Combine(Root, "data");

    /// <summary>A path inside <c>shared/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => System.IO.Path.Combine([Root, "fixtures", .. parts]);

    /// <summary>A path inside <c>shared/data</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([DataRoot, .. parts]);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "fixtures")) && File.Exists(System.IO.Path.Combine(candidate, "data", "SOURCES.md")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No 'shared' folder with fixtures/ and data/SOURCES.md was found above {AppContext.BaseDirectory}; " +
            "the tests expect the shared material beside the repository (the repository's parent folder holds 'shared/').");
    }
}
