namespace RecurrentSharp.Formats.Safetensors;

/// <summary>
/// The contents of a safetensors file held in memory: the <c>__metadata__</c> strings and every tensor
/// (in the order of their bytes in the file). Produced by <see cref="SafetensorsReader"/>.
/// </summary>
public sealed class SafetensorsFile
{
    private readonly Dictionary<string, SafetensorsTensor> byName;

    internal SafetensorsFile(string source, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsTensor> tensors)
    {
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        byName = new Dictionary<string, SafetensorsTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors) byName.Add(t.Name, t);
    }

    /// <summary>The path (or the name given for an in-memory file), used in messages.</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor, ordered by its position in the data section.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The tensor names, in data order.</summary>
    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGet(string name, out SafetensorsTensor tensor) => byName.TryGetValue(name, out tensor!);

    /// <summary>The tensor of that name; a <see cref="ModelFormatException"/> naming the file when it is absent.</summary>
    public SafetensorsTensor this[string name] =>
        byName.TryGetValue(name, out var t) ? t : throw new ModelFormatException($"{Source}: there is no tensor '{name}'.");

    /// <summary>A metadata value; a <see cref="ModelFormatException"/> naming the file when the key is absent.</summary>
    public string RequireMetadata(string key) =>
        Metadata.TryGetValue(key, out var v) ? v : throw new ModelFormatException($"{Source}: __metadata__ has no key '{key}'.");
}
