using System.Globalization;
using System.Text.Json;
using RecurrentSharp.Nn;
using RecurrentSharp.Formats.Safetensors;

namespace RecurrentSharp.Tasks;

/// <summary>
/// A trained model on disk: a safetensors file with the parameters under PyTorch-style names and, in its
/// metadata, the task it belongs to, the model configuration (JSON) and whatever else the task needs to
/// use it again (vocabulary, label names, normalization).
/// </summary>
public sealed class SavedModel
{
    /// <summary>The metadata key naming the task.</summary>
    public const string TaskKey = "task";

    /// <summary>The metadata key of the training data's fingerprint (see <see cref="WasTrainedOn"/>).</summary>
    public const string DataFingerprintKey = "data_fingerprint";

    private SavedModel(string path, SafetensorsFile file, string task)
    {
        Path = path;
        File = file;
        Task = task;
    }

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>The parsed file.</summary>
    public SafetensorsFile File { get; }

    /// <summary>The task the model was trained for.</summary>
    public string Task { get; }

    /// <summary>All metadata entries.</summary>
    public IReadOnlyDictionary<string, string> Metadata => File.Metadata;

    /// <summary>A required metadata entry (a clear error when missing).</summary>
    public string Require(string key) => File.RequireMetadata(key);

    /// <summary>Refuses a model of another task with a message naming both (evaluating an HAR model as sentiment, say).</summary>
    public void RequireTask(string task)
    {
        if (Task != task) throw new TaskUsageException($"{Path} was trained for the {Task} task, not {task}.");
    }

    /// <summary>A required whole-number metadata entry of at least <paramref name="minimum"/>; anything else is a format error.</summary>
    public int RequireInt(string key, int minimum = int.MinValue) =>
        int.TryParse(Require(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new ModelFormatException($"{Path}: the metadata '{key}' is not a whole number{(minimum == int.MinValue ? "" : $" >= {minimum}")}.");

    /// <summary>A required metadata entry that is empty (null) or a whole number, such as the --limit a model was trained with.</summary>
    public int? RequireOptionalInt(string key) => Require(key).Length == 0 ? null : RequireInt(key);

    /// <summary>A required metadata entry holding JSON; malformed JSON is a format error naming the entry.</summary>
    public T RequireJson<T>(string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Require(key)) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{Path}: the metadata entry '{key}' is not valid ({e.Message}).", e);
        }
    }

    /// <summary>
    /// True when the model's saved <see cref="DataFingerprintKey"/> equals <paramref name="fingerprint"/>: the data at
    /// hand is the data the model was trained on, however the file is named or placed (evaluation then scores only its
    /// held-out part). Models saved without a fingerprint never match.
    /// </summary>
    public bool WasTrainedOn(string fingerprint) => Metadata.TryGetValue(DataFingerprintKey, out var trained) && trained == fingerprint;

    /// <summary>The SHA-256 of <paramref name="data"/> in hex, as saved under <see cref="DataFingerprintKey"/>.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> data) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data));

    /// <summary>Configurations are JSON with enums by name ("Pooling": "Max"); numbers are still read, as older files hold them.</summary>
    private static readonly JsonSerializerOptions ConfigJson = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The model configuration, deserialized.</summary>
    public T Config<T>()
    {
        string json = Require(StateDictFile.ConfigKey);
        try
        {
            return JsonSerializer.Deserialize<T>(json, ConfigJson) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{Path}: the model configuration does not describe a {typeof(T).Name} ({e.Message}).", e);
        }
    }

    /// <summary>Copies the parameters into <paramref name="model"/> (names and shapes must fit exactly).</summary>
    public void LoadInto(Module model) => StateDictFile.LoadInto(model, File, strict: true);

    /// <summary>Reads a model file; refuses files that are not RecurrentSharp task models.</summary>
    public static SavedModel Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new TaskUsageException($"Model file {path} does not exist.");
        var file = SafetensorsReader.Read(path);
        if (!file.Metadata.TryGetValue(TaskKey, out var task))
            throw new ModelFormatException($"{path} is a safetensors file but not a RecurrentSharp model: its metadata names no task (a training checkpoint or a bare state dict?).");
        return new SavedModel(path, file, task);
    }

    /// <summary>Writes a model file atomically: parameters, the task name, the configuration and extra metadata.</summary>
    public static void Save<TConfig>(string path, string task, Module model, TConfig config, IReadOnlyDictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { [TaskKey] = task };
        StateDictFile.Save(path, model, JsonSerializer.Serialize(config, ConfigJson), metadata);
    }
}
