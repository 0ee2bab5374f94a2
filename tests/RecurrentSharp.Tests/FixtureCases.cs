namespace RecurrentSharp.Tests;

/// <summary>The fixture files of a folder as xUnit theory data, enumerated from the folder (a new file is a new case without a code change).</summary>
internal static class FixtureCases
{
    /// <summary>The names of the <c>*.safetensors</c> files in <paramref name="folder"/>, sorted; one empty name when there are none, so the theory fails instead of testing nothing.</summary>
    public static TheoryData<string> InFolder(string folder)
    {
        var data = new TheoryData<string>();
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToList() : [];
        foreach (var f in files) data.Add(Path.GetFileName(f));
        if (files.Count == 0) data.Add("");
        return data;
    }
}
