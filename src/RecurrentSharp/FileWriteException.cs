namespace RecurrentSharp;

/// <summary>
/// Thrown when a model, checkpoint or report cannot be written (a read-only folder, a folder or file in the
/// way, a full disk). The message names the file and says that the file already there, if any, is unchanged.
/// </summary>
public sealed class FileWriteException : RecurrentSharpException
{
    /// <summary>Creates the exception for <paramref name="path"/> with the low-level cause.</summary>
    public FileWriteException(string path, Exception inner)
        : base($"could not write '{path}': {inner.Message} Nothing was replaced: the file that was there before, if any, is unchanged.", inner)
    {
        FilePath = path;
    }

    /// <summary>The file that could not be written.</summary>
    public string FilePath { get; }
}
