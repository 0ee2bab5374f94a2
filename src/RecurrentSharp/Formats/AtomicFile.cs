namespace RecurrentSharp.Formats;

/// <summary>
/// Replaces a file all at once: the new contents go to a temporary file in the same folder, are flushed
/// to disk, and only then renamed over the target. A crash or an exception mid-write leaves the old
/// file untouched (and the temporary file is removed when the failure is an exception). A failure of the
/// file system (a read-only folder, a folder or file in the way, a full disk) is a <see cref="FileWriteException"/>
/// naming the file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, replacing any existing file atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        // Same folder, so the rename stays on one file system (and is atomic there).
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (Directory.Exists(fullPath)) throw new IOException("a folder of that name is in the way.");
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new FileWriteException(path, e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Best effort: the failure being reported matters more than a stray temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
