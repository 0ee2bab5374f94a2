namespace RecurrentSharp.Tests.Tasks;

/// <summary>A temporary folder for model files, deleted after the test class.</summary>
public sealed class TaskTestFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("rnn-task-").FullName;

    public string File(string name) => Path.Combine(Root, name);

    /// <summary>
    /// A copy of the model at <paramref name="model"/> whose safetensors header has <paramref name="from"/> replaced by
    /// <paramref name="to"/> (same length, so the header size and tensor offsets stay valid).
    /// </summary>
    public string Corrupt(string model, string name, string from, string to)
    {
        Xunit.Assert.Equal(from.Length, to.Length);
        byte[] bytes = System.IO.File.ReadAllBytes(model);
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, headerLength);
        Xunit.Assert.Contains(from, header);
        byte[] replaced = System.Text.Encoding.UTF8.GetBytes(header.Replace(from, to));
        Xunit.Assert.Equal(headerLength, replaced.Length);
        replaced.CopyTo(bytes, 8);
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
