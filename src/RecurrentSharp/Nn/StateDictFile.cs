using System.Text.Json;
using RecurrentSharp.Tensors;
using RecurrentSharp.Formats.Safetensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// Saves and loads a <see cref="Module"/>'s parameters as a safetensors file under PyTorch-style dotted
/// names (<c>weight_ih_l0</c>, <c>encoder.weight</c>), with the model's configuration as a JSON object in
/// the metadata key <c>config</c>. Such a file is what PyTorch's <c>safetensors.torch.save_file(model.state_dict())</c>
/// writes, so weights move both ways.
/// </summary>
public static class StateDictFile
{
    /// <summary>The metadata key holding the model configuration (a JSON object as a string).</summary>
    public const string ConfigKey = "config";

    /// <summary>The metadata key naming the model class.</summary>
    public const string ModelKey = "model";

    /// <summary>The metadata key holding this format's version.</summary>
    public const string FormatVersionKey = "format_version";

    /// <summary>
    /// Adds every parameter of <paramref name="model"/> to <paramref name="writer"/> as F32 under
    /// <paramref name="prefix"/> + its dotted name, and records the model class and (if given) its
    /// configuration in the metadata. Use this to put the model into a larger checkpoint.
    /// </summary>
    public static void AddTo(SafetensorsWriter writer, Module model, string? configJson = null, string prefix = "")
    {
        foreach (var (name, parameter) in model.NamedParameters())
            writer.Add(prefix + name, parameter);
        writer.Metadata[FormatVersionKey] = "1";
        writer.Metadata[ModelKey] = model.GetType().Name;
        if (configJson is not null)
        {
            try
            {
                using var config = JsonDocument.Parse(configJson);
                if (config.RootElement.ValueKind != JsonValueKind.Object)
                    throw new ArgumentException("The model configuration must be a JSON object.", nameof(configJson));
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"The model configuration is not valid JSON: {ex.Message}", nameof(configJson), ex);
            }
            writer.Metadata[ConfigKey] = configJson;
        }
    }

    /// <summary>Writes the model's parameters (and configuration) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Module model, string? configJson = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = new SafetensorsWriter();
        if (metadata is not null)
            foreach (var (key, value) in metadata) writer.Metadata[key] = value;
        AddTo(writer, model, configJson);
        writer.Save(path);
    }

    /// <summary>Reads <paramref name="path"/> and loads it into <paramref name="model"/> (see <see cref="LoadInto"/>); returns the file for its metadata.</summary>
    public static SafetensorsFile Load(string path, Module model, bool strict = true)
    {
        var file = SafetensorsReader.Read(path);
        LoadInto(model, file, strict);
        return file;
    }

    /// <summary>
    /// Copies the tensors named <paramref name="prefix"/> + parameter name into the model's parameters.
    /// F32 tensors are copied, F64 tensors rounded to float32; other dtypes are refused. Shapes must match
    /// exactly. With <paramref name="strict"/>, every parameter must be present and every tensor under the
    /// prefix must be a parameter, except names for which <paramref name="ignore"/> returns true (other
    /// parts of a checkpoint, such as optimizer state). All problems are reported together, naming each
    /// tensor and the file; nothing is changed when any check fails.
    /// </summary>
    public static void LoadInto(Module model, SafetensorsFile file, bool strict = true, string prefix = "", Func<string, bool>? ignore = null)
    {
        var parameters = model.NamedParameters().ToList();
        var problems = new List<string>();
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            if (!file.TryGet(prefix + name, out var tensor))
            {
                if (strict) problems.Add($"missing tensor '{prefix + name}' {TensorShape.Format(parameter.Shape)}");
                continue;
            }
            if (tensor.DType is not (SafetensorsDType.F32 or SafetensorsDType.F64))
            {
                problems.Add($"tensor '{tensor.Name}' is {tensor.DType}; a parameter needs F32 or F64");
                continue;
            }
            if (!TensorShape.SameAs(tensor.Shape, parameter.Shape))
            {
                problems.Add($"tensor '{tensor.Name}' has shape {TensorShape.Format(tensor.Shape)}, the model's parameter has {TensorShape.Format(parameter.Shape)}");
                continue;
            }
            values[name] = tensor.ToFloat32Array(convertFloat64: true);
        }
        if (strict)
        {
            var known = parameters.Select(p => prefix + p.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var tensor in file.Tensors)
                if (tensor.Name.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(tensor.Name) && ignore?.Invoke(tensor.Name) != true)
                    problems.Add($"unexpected tensor '{tensor.Name}' {TensorShape.Format(tensor.Shape)}");
        }
        if (problems.Count > 0)
            throw new ModelFormatException($"{file.Source} does not fit {model.GetType().Name}: {string.Join("; ", problems)}.");
        foreach (var (name, parameter) in parameters)
            if (values.TryGetValue(name, out var v)) v.CopyTo(parameter.Data);
    }

    /// <summary>
    /// The model configuration stored in the file, parsed; null when the file has none. A configuration
    /// that is not a JSON object raises a <see cref="ModelFormatException"/>. Dispose the document.
    /// </summary>
    public static JsonDocument? ReadConfig(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue(ConfigKey, out var text)) return null;
        JsonDocument config;
        try
        {
            config = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{file.Source}: metadata '{ConfigKey}' is not valid JSON ({ex.Message}).", ex);
        }
        if (config.RootElement.ValueKind != JsonValueKind.Object)
        {
            config.Dispose();
            throw new ModelFormatException($"{file.Source}: metadata '{ConfigKey}' is not a JSON object.");
        }
        return config;
    }
}
