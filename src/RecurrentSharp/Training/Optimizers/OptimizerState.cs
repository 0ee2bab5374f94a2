using System.Globalization;
using System.Text.Json;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// A snapshot of an <see cref="Optimizer"/>: its kind, learning rate, per-parameter step counters and state
/// buffers named <c>"{parameter index}.{key}"</c> with PyTorch's keys (<c>"0.exp_avg"</c>, <c>"1.momentum_buffer"</c>).
/// </summary>
/// <remarks>
/// In a safetensors checkpoint (<see cref="WriteTo"/>) the buffers become F32 tensors
/// <c>{prefix}state.{i}.{key}</c>, each step counter an I64 scalar <c>{prefix}state.{i}.step</c> (exact
/// beyond 2^24, unlike PyTorch's float32 step), and <c>{prefix}config</c> in the metadata holds
/// <c>{"name": ..., "lr": ..., "param_count": ...}</c>.
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>Creates a snapshot (the tensors are kept as given).</summary>
    public OptimizerState(string optimizer, double learningRate, long[] steps, IReadOnlyDictionary<string, Tensor> buffers)
    {
        Optimizer = optimizer;
        LearningRate = learningRate;
        Steps = steps;
        Buffers = buffers;
    }

    /// <summary>The optimizer's PyTorch class name (<see cref="Training.Optimizer.Name"/>).</summary>
    public string Optimizer { get; }

    /// <summary>The learning rate at the time of the snapshot.</summary>
    public double LearningRate { get; }

    /// <summary>The update count of each parameter.</summary>
    public IReadOnlyList<long> Steps { get; }

    /// <summary>The state buffers by <c>"{index}.{key}"</c>, each shaped like its parameter.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers { get; }

    /// <summary>The buffer name for parameter <paramref name="index"/> and state key <paramref name="key"/>.</summary>
    public static string BufferName(int index, string key) => index.ToString(CultureInfo.InvariantCulture) + "." + key;

    /// <summary>Splits <c>"{index}.{key}"</c>.</summary>
    public static bool TryParseBufferName(string name, out int index, out string key)
    {
        int dot = name.IndexOf('.');
        key = dot < 0 ? "" : name[(dot + 1)..];
        index = -1;
        return dot > 0 && key.Length > 0
            && int.TryParse(name.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>Adds the state to a checkpoint under <paramref name="prefix"/>.</summary>
    public void WriteTo(SafetensorsWriter writer, string prefix = "optimizer.")
    {
        for (int i = 0; i < Steps.Count; i++)
            if (Steps[i] != 0) writer.Add($"{prefix}state.{i}.step", [Steps[i]]);
        foreach (var (name, value) in Buffers.OrderBy(b => b.Key, StringComparer.Ordinal))
            writer.Add($"{prefix}state.{name}", value);
        writer.Metadata[prefix + "config"] = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = Optimizer,
            ["lr"] = LearningRate,
            ["param_count"] = Steps.Count,
        });
    }

    /// <summary>
    /// Reads a state written by <see cref="WriteTo"/>. Every tensor under <c>{prefix}state.</c> must be a
    /// step (I64 scalar, >= 0) or a buffer (F32/F64) of a parameter index below the recorded count;
    /// anything else is a <see cref="ModelFormatException"/> naming the tensor. Shapes are checked by
    /// <see cref="Training.Optimizer.SetState"/>, which knows the parameters.
    /// </summary>
    public static OptimizerState ReadFrom(SafetensorsFile file, string prefix = "optimizer.")
    {
        string configKey = prefix + "config";
        string text = file.RequireMetadata(configKey);
        string name;
        double lr;
        int count;
        try
        {
            using var config = JsonDocument.Parse(text);
            var root = config.RootElement;
            name = root.GetProperty("name").GetString() ?? throw new FormatException("name is null");
            lr = root.GetProperty("lr").GetDouble();
            count = root.GetProperty("param_count").GetInt32();
            if (count < 0) throw new FormatException("param_count is negative");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException($"{file.Source}: metadata '{configKey}' is not a valid optimizer description ({ex.Message}).", ex);
        }

        var steps = new long[count];
        var buffers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        string statePrefix = prefix + "state.";
        foreach (var tensor in file.Tensors)
        {
            if (!tensor.Name.StartsWith(statePrefix, StringComparison.Ordinal)) continue;
            string rest = tensor.Name[statePrefix.Length..];
            if (!TryParseBufferName(rest, out int index, out string key) || index >= count)
                throw new ModelFormatException($"{file.Source}: tensor '{tensor.Name}' does not name a parameter index below {count} and a state key.");
            if (key == "step")
            {
                if (tensor.DType != SafetensorsDType.I64 || tensor.Shape.Length != 0)
                    throw new ModelFormatException($"{file.Source}: tensor '{tensor.Name}' must be an I64 scalar.");
                long step = tensor.ToInt64Array()[0];
                if (step < 0) throw new ModelFormatException($"{file.Source}: tensor '{tensor.Name}' is negative ({step}).");
                steps[index] = step;
            }
            else
            {
                if (tensor.DType is not (SafetensorsDType.F32 or SafetensorsDType.F64))
                    throw new ModelFormatException($"{file.Source}: tensor '{tensor.Name}' is {tensor.DType}; optimizer buffers are F32.");
                buffers[rest] = tensor.ToTensor(convertFloat64: true);
            }
        }
        return new OptimizerState(name, lr, steps, buffers);
    }
}
