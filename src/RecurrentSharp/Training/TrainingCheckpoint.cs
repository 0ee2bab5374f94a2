using System.Globalization;
using System.Text.Json;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Training;

/// <summary>
/// A training checkpoint file: the model's parameters (<c>model.*</c>), the optimizer's state (<c>optimizer.*</c>),
/// the best epoch's weights (<c>best.*</c>), the generator's state, and in the metadata the position in the run,
/// the history and the schedules' states. <see cref="Trainer{TBatch}"/> decides what goes in; this type only
/// writes it (atomically, through the safetensors writer) and reads it back, refusing anything malformed with a
/// <see cref="ModelFormatException"/> that names the file and the field.
/// </summary>
public sealed class TrainingCheckpoint
{
    private const string ModelPrefix = "model.";
    private const string BestPrefix = "best.";
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>The generator's state after the last completed step.</summary>
    public required ulong[] RandomState { get; init; }

    /// <summary>The generator's state before the current epoch's batch order was drawn (only mid-epoch).</summary>
    public ulong[]? EpochStartState { get; init; }

    /// <summary>Epochs completed.</summary>
    public int CompletedEpochs { get; init; }

    /// <summary>Batches of the current, unfinished epoch already trained.</summary>
    public int BatchesDone { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public long GlobalStep { get; init; }

    /// <summary>Σ loss·examples over the current epoch's batches so far.</summary>
    public double EpochLossSum { get; init; }

    /// <summary>Examples in the current epoch's batches so far.</summary>
    public long EpochExamples { get; init; }

    /// <summary>The epochs so far, the best epoch and its value.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>The per-epoch schedule's state, if the run has one.</summary>
    public IReadOnlyDictionary<string, double>? SchedulerState { get; init; }

    /// <summary>Reduce-on-plateau's state, if the run has it.</summary>
    public IReadOnlyDictionary<string, double>? PlateauState { get; init; }

    /// <summary>The best epoch's parameters in <see cref="Module.NamedParameters"/> order, or null.</summary>
    public float[][]? BestWeights { get; init; }

    /// <summary>Writes <paramref name="state"/> with <paramref name="model"/> and <paramref name="optimizer"/> to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, Module model, Optimizer optimizer, TrainingCheckpoint state, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var writer = new SafetensorsWriter();
        if (metadata is not null)
            foreach (var (key, value) in metadata) writer.Metadata[key] = value;
        StateDictFile.AddTo(writer, model, metadata?.GetValueOrDefault(StateDictFile.ConfigKey), ModelPrefix);
        optimizer.GetState().WriteTo(writer, OptimizerPrefix);
        writer.Add("trainer.random", state.RandomState.Select(v => unchecked((long)v)).ToArray(), 6);
        if (state.EpochStartState is not null)
            writer.Add("trainer.random_epoch_start", state.EpochStartState.Select(v => unchecked((long)v)).ToArray(), 6);
        if (state.BestWeights is not null)
        {
            var named = model.NamedParameters().ToArray();
            for (int i = 0; i < named.Length; i++) writer.Add(BestPrefix + named[i].Key, state.BestWeights[i], named[i].Value.GetShape());
        }
        writer.Metadata["kind"] = "checkpoint";
        writer.Metadata["completed_epochs"] = state.CompletedEpochs.ToString(CultureInfo.InvariantCulture);
        writer.Metadata["batches_done"] = state.BatchesDone.ToString(CultureInfo.InvariantCulture);
        writer.Metadata["global_step"] = state.GlobalStep.ToString(CultureInfo.InvariantCulture);
        writer.Metadata["epoch_loss_sum"] = state.EpochLossSum.ToString("R", CultureInfo.InvariantCulture);
        writer.Metadata["epoch_examples"] = state.EpochExamples.ToString(CultureInfo.InvariantCulture);
        writer.Metadata["history"] = JsonSerializer.Serialize(HistoryState.From(state.History));
        if (state.SchedulerState is not null) writer.Metadata["scheduler"] = JsonSerializer.Serialize(state.SchedulerState);
        if (state.PlateauState is not null) writer.Metadata["plateau"] = JsonSerializer.Serialize(state.PlateauState);
        writer.Save(path);
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/>: loads its parameters into <paramref name="model"/> and its
    /// state into <paramref name="optimizer"/>, and returns the rest. The schedules' states are required when the
    /// run has those schedules.
    /// </summary>
    public static TrainingCheckpoint Load(string path, Module model, Optimizer optimizer, bool needsScheduler, bool needsPlateau)
    {
        var file = SafetensorsReader.Read(path);
        if (!file.Metadata.TryGetValue("kind", out var kind) || kind != "checkpoint")
            throw new ModelFormatException($"{path} is not a training checkpoint (metadata 'kind' is '{kind ?? "missing"}').");
        StateDictFile.LoadInto(model, file, strict: true, ModelPrefix);
        optimizer.SetState(OptimizerState.ReadFrom(file, OptimizerPrefix));
        var named = model.NamedParameters().ToArray();
        return new TrainingCheckpoint
        {
            RandomState = ReadState(file, "trainer.random"),
            EpochStartState = file.Contains("trainer.random_epoch_start") ? ReadState(file, "trainer.random_epoch_start") : null,
            CompletedEpochs = checked((int)ParseCount(file, "completed_epochs")),
            BatchesDone = checked((int)ParseCount(file, "batches_done")),
            GlobalStep = ParseCount(file, "global_step"),
            EpochExamples = ParseCount(file, "epoch_examples"),
            EpochLossSum = double.TryParse(file.RequireMetadata("epoch_loss_sum"), NumberStyles.Float, CultureInfo.InvariantCulture, out var sum) && double.IsFinite(sum)
                ? sum : throw new ModelFormatException($"{path}: metadata 'epoch_loss_sum' is not a finite number."),
            History = Parse<HistoryState>(file, "history").ToHistory(),
            SchedulerState = needsScheduler ? Parse<Dictionary<string, double>>(file, "scheduler") : null,
            PlateauState = needsPlateau ? Parse<Dictionary<string, double>>(file, "plateau") : null,
            BestWeights = named.Length > 0 && file.Contains(BestPrefix + named[0].Key)
                ? named.Select(p => file[BestPrefix + p.Key].ToFloat32Array()).ToArray()
                : null,
        };
    }

    private static ulong[] ReadState(SafetensorsFile file, string name)
    {
        var values = file[name].ToInt64Array();
        if (values.Length != 6) throw new ModelFormatException($"{file.Source}: '{name}' holds {values.Length} values, a generator state has 6.");
        return values.Select(v => unchecked((ulong)v)).ToArray();
    }

    private static long ParseCount(SafetensorsFile file, string key)
    {
        var text = file.RequireMetadata(key);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value is >= 0 and <= int.MaxValue
            ? value
            : throw new ModelFormatException($"{file.Source}: metadata '{key}' = '{text}' is not a count.");
    }

    private static T Parse<T>(SafetensorsFile file, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(file.RequireMetadata(key)) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{file.Source}: metadata '{key}' is not valid ({e.Message}).", e);
        }
    }

    /// <summary>The history in a JSON-friendly shape.</summary>
    private sealed record HistoryState(List<EpochRecordState> Epochs, int BestEpoch, double? BestValue)
    {
        public static HistoryState From(TrainingHistory h) => new(
            h.Epochs.Select(e => new EpochRecordState(e.Epoch, e.TrainLoss, e.LearningRate, new Dictionary<string, double>(e.Validation), e.Seconds)).ToList(),
            h.BestEpoch, double.IsNaN(h.BestValue) ? null : h.BestValue);

        public TrainingHistory ToHistory()
        {
            var h = new TrainingHistory { BestEpoch = BestEpoch, BestValue = BestValue ?? double.NaN };
            h.Epochs.AddRange(Epochs.Select(e => new EpochRecord(e.Epoch, e.TrainLoss, e.LearningRate, e.Validation, e.Seconds)));
            return h;
        }
    }

    private sealed record EpochRecordState(int Epoch, double TrainLoss, double LearningRate, Dictionary<string, double> Validation, double Seconds);
}
