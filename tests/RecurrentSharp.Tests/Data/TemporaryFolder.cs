using System.Text;

namespace RecurrentSharp.Tests.Data;

/// <summary>A fresh folder under the system temp folder, deleted on dispose; for small malformed inputs.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "recurrentsharp-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Writes UTF-8 text (no byte-order mark) to a file under the folder and returns its path.</summary>
    public string Write(string relativePath, string text) => Write(relativePath, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes bytes to a file under the folder (creating subfolders) and returns its path.</summary>
    public string Write(string relativePath, byte[] bytes)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
