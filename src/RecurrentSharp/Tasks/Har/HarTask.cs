using System.Globalization;
using System.Text.Json;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Har;

/// <summary>
/// Human activity recognition from raw smartphone inertial signals (UCI HAR, Anguita et al. 2013): each
/// window of 2.56 s is 128 time steps x_1..x_128 of 9 channels (body and total acceleration, angular
/// velocity), read by a 2-layer LSTM whose last hidden state goes through a linear layer to the 6
/// activities. Only the test split's signals are available (9 volunteers), so the task trains on a seeded
/// subject-disjoint split: 6 volunteers train, the other 3 evaluate — no person is seen on both sides.
/// Every channel c is standardized, z = (x − mean_c) / std_c, with statistics of the training volunteers only.
/// </summary>
public sealed class HarTask : ApplicationTask
{
    private const string Dataset = "har/UCI HAR Dataset";
    private const string Split = "test";
    private const int EvaluateSubjects = 3;
    private static readonly TrainingDefaults Defaults = new(Epochs: 30, BatchSize: 32, LearningRate: 2e-3);

    /// <inheritdoc/>
    public override string Name => "har";

    /// <inheritdoc/>
    public override string Summary => "UCI HAR raw inertial signals (9 channels x 128 steps) by a 2-layer LSTM, 6 activities (6 subjects train, 3 evaluate; target accuracy >= 88%)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var data = Read(options, context);
        var random = new RandomGenerator(options.Seed);
        var split = DataSplit.ByGroup(data.Subjects, EvaluateSubjects, random);
        int[] train = split.Train, evaluate = split.Evaluate;
        if (options.Limit is { } limit)
        {
            // A seeded sample of the training windows (the files are ordered by volunteer).
            train = random.Permutation(train.Length).Take(limit).Select(k => train[k]).Order().ToArray();
            evaluate = evaluate.Take(Math.Max(1, limit / 4)).ToArray();
        }

        var scalers = FitScalers(data.Signals, train);
        var signals = Standardize(data.Signals, scalers);
        var config = new SequenceClassifierConfig(Classes: data.ActivityNames.Count, HiddenSize: options.Hidden ?? 64, Cell: options.Cell ?? "lstm",
            Layers: options.Layers ?? 2, Bidirectional: options.Bidirectional ?? false, Dropout: options.Dropout ?? 0.2f,
            InputSize: HarReader.Channels.Count, Pooling: Pooling.Last);
        var model = new SequenceClassifier(config, random);
        context.Log($"har: {train.Length} training windows (volunteers {string.Join(", ", split.TrainGroups)}), " +
            $"{evaluate.Length} evaluation windows (volunteers {string.Join(", ", split.EvaluateGroups)}), {HarReader.WindowLength} steps of {HarReader.Channels.Count} channels");

        // No validation set: with 6 volunteers there is none to spare, and windows of a training volunteer
        // (which overlap by 50%) would only flatter the model. It trains for a fixed number of epochs.
        var examples = Examples(data, signals);
        var history = ClassifierTraining.Fit(model, examples, train, [], options, Defaults, random, context, Name);
        var (matrix, loss) = ClassifierTraining.Confusion(model, examples, evaluate, 256, context.DataParallel);
        return SavedClassifier.Save(Report(matrix, loss, data.ActivityNames, split), options, model, history, train.Length, new Dictionary<string, string>
        {
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["scalers"] = JsonSerializer.Serialize(scalers),
            ["activities"] = JsonSerializer.Serialize(data.ActivityNames),
        }, context);
    }

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => SavedClassifier.Load(model, Name);

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var model = SavedClassifier.Load(saved, Name);
        var scalers = saved.RequireJson<SeriesScaler[]>("scalers");
        if (scalers.Length != HarReader.Channels.Count)
            throw new ModelFormatException($"{saved.Path}: holds {scalers.Length} channel scalers, expected {HarReader.Channels.Count}.");

        // The same volunteers as in training: the split is drawn again from the saved seed.
        var data = Read(options, context);
        int seed = int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture);
        var split = DataSplit.ByGroup(data.Subjects, EvaluateSubjects, new RandomGenerator(seed));
        var (matrix, loss) = ClassifierTraining.Confusion(model, Examples(data, Standardize(data.Signals, scalers)), split.Evaluate, 256);
        return Report(matrix, loss, data.ActivityNames, split);
    }

    /// <summary>Windows (B, 128, 9) of the standardized signals with the activity labels.</summary>
    private static VectorExamples Examples(HarSplit data, Tensor standardized) =>
        new(data.Count, HarReader.WindowLength, data.Labels, indices => standardized.IndexSelect(0, indices));

    /// <summary>
    /// The signals: from the folder given by --data (the dataset folder, its parent, or the data folder;
    /// original <c>.txt</c> or <c>.csv</c> signal files), else the data folder or the cache.
    /// </summary>
    private static HarSplit Read(TaskOptions options, TaskContext context)
    {
        string root;
        if (options.DataPath is { } path && Directory.Exists(path))
            root = HarReader.FindRoot(path);
        else
        {
            root = Path.GetDirectoryName(TaskData.Resolve(options, context, $"{Dataset}/activity_labels.txt"))!;
            // Fetch the files of the split that are not beside it (into the cache, when that is where it is).
            foreach (string file in new[] { $"y_{Split}.txt", $"subject_{Split}.txt" })
                if (!File.Exists(Path.Combine(root, Split, file))) TaskData.Resolve(options, context, $"{Dataset}/{Split}/{file}");
            foreach (string channel in HarReader.Channels)
            {
                string signals = Path.Combine(root, Split, "Inertial Signals", $"{channel}_{Split}");
                if (!File.Exists(signals + ".txt") && !File.Exists(signals + ".csv"))
                    TaskData.Resolve(options, context, $"{Dataset}/{Split}/Inertial Signals/{channel}_{Split}.csv");
            }
        }
        var data = HarReader.Read(root, Split, options.Strict);
        foreach (var skipped in data.Skipped) context.Log($"skipped {skipped}");
        return data;
    }

    /// <summary>One standardizing scaler per channel, fitted on every step of the training windows.</summary>
    private static SeriesScaler[] FitScalers(Tensor signals, int[] train)
    {
        int steps = signals.Size(1), channels = signals.Size(2);
        ReadOnlySpan<float> data = signals.Data;
        var scalers = new SeriesScaler[channels];
        var values = new float[train.Length * steps];
        for (int c = 0; c < channels; c++)
        {
            // Gather channel c of the training windows: signals[w, t, c] sits at (w·steps + t)·channels + c.
            int k = 0;
            foreach (int w in train)
                for (int t = 0; t < steps; t++) values[k++] = data[(w * steps + t) * channels + c];
            scalers[c] = SeriesScaler.FitStandard(values);
        }
        return scalers;
    }

    /// <summary>A copy of the signals (windows, steps, channels) with every channel c replaced by z = (x − mean_c) / std_c.</summary>
    private static Tensor Standardize(Tensor signals, SeriesScaler[] scalers)
    {
        var result = signals.Clone();
        var data = result.Data;
        int channels = scalers.Length;
        for (int i = 0; i < data.Length; i++) data[i] = scalers[i % channels].Transform(data[i]);
        return result;
    }


    private TaskResult Report(ConfusionMatrix matrix, double loss, IReadOnlyList<string> activities, GroupSplit split)
    {
        var result = new TaskResult(Name, "accuracy", matrix.Accuracy);
        result.Figures["macro_f1"] = matrix.MacroF1;
        result.Figures["loss"] = loss;
        result.Figures["test_examples"] = matrix.Total;
        result.Figures["train_subjects"] = split.TrainGroups;
        result.Figures["test_subjects"] = split.EvaluateGroups;
        result.Figures["confusion"] = Enumerable.Range(0, matrix.Classes)
            .Select(a => Enumerable.Range(0, matrix.Classes).Select(p => matrix[a, p]).ToArray()).ToArray();
        result.Figures["classes"] = activities;
        result.Lines.AddRange(ClassifierTraining.Describe(matrix, activities));
        return result;
    }
}
