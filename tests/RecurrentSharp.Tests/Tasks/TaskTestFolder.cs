namespace RecurrentSharp.Tests.Tasks;

/// <summary>A temporary folder for model files, deleted after the test class.</summary>
public sealed class TaskTestFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("rnn-task-").FullName;

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
