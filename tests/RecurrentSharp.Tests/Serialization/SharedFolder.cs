namespace RecurrentSharp.Tests.Serialization;

/// <summary>
/// Finds the read-only <c>shared/</c> folder that sits beside the repository (…/shared/fixtures): walks up
/// from the test assembly's folder until a folder containing <c>shared/fixtures</c> appears.
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> Root = new(Locate);

    /// <summary>The <c>shared/fixtures</c> folder.</summary>
    public static string Fixtures => Path.Combine(Root.Value, "fixtures");

    /// <summary>A path below <c>shared/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    private static string Locate()
    {
        var start = new DirectoryInfo(AppContext.BaseDirectory);
        for (var dir = start; dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No folder 'shared/fixtures' was found above {start.FullName}. The tests expect the shared fixtures " +
            "beside the repository (the repository's parent folder holds 'shared/').");
    }
}
