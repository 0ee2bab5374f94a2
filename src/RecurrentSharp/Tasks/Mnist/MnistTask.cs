using System.Globalization;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Mnist;

/// <summary>
/// Handwritten digits (MNIST, LeCun et al.) read row by row — the classic sequential setup: image i becomes
/// 28 time steps x_1..x_28, x_t = pixel row t of 28 values scaled to [0, 1]; an LSTM reads them and the last
/// hidden state h_28 goes through a linear layer to 10 logits (softmax, cross-entropy). Adam trains it, then
/// a quarter as many epochs more at a tenth of the learning rate. Of the 60,000 training images a seeded
/// random 5,000 are held out to pick the best epoch; the figures are on the 10,000 test images.
/// </summary>
public sealed class MnistTask : ApplicationTask
{
    private const string Folder = "mnist";
    private const int ValidationImages = 5000;
    private static readonly TrainingDefaults Defaults = new(Epochs: 10, BatchSize: 64, LearningRate: 1e-3, Patience: 3);
    private static readonly string[] DigitNames = Enumerable.Range(0, 10).Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <inheritdoc/>
    public override string Name => "mnist";

    /// <inheritdoc/>
    public override string Summary => "MNIST digits read row by row (28 steps of 28 pixels) by an LSTM (60k train, 10k test; target test accuracy >= 98.5%)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var trainSplit = ReadSplit(options, context, train: true);
        var testSplit = ReadSplit(options, context, train: false);
        var random = new RandomGenerator(options.Seed);
        // 5,000 validation images, or a tenth of a smaller training file (e.g. a folder of a few IDX images).
        int validationImages = Math.Min(ValidationImages, trainSplit.Labels.Length / 10);
        var split = DataSplit.Random(trainSplit.Labels.Length, (double)validationImages / trainSplit.Labels.Length, random);
        int[] train = split.Train, validation = split.Evaluate;
        int[] test = Enumerable.Range(0, testSplit.Labels.Length).ToArray();
        if (options.Limit is { } limit)
        {
            train = train.Take(limit).ToArray();
            validation = validation.Take(Math.Max(1, limit / 4)).ToArray();
            test = test.Take(Math.Max(1, limit / 4)).ToArray();
        }

        var config = new SequenceClassifierConfig(Classes: 10, HiddenSize: options.Hidden ?? 128, Cell: options.Cell ?? "lstm",
            Layers: options.Layers ?? 1, Bidirectional: options.Bidirectional ?? false, Dropout: options.Dropout ?? 0f,
            InputSize: trainSplit.Images.Columns, Pooling: Pooling.Last);
        var model = new SequenceClassifier(config, random);
        context.Log($"mnist: {train.Length} training, {validation.Length} validation, {test.Length} test images, each {trainSplit.Images.Rows} steps of {trainSplit.Images.Columns} pixels");

        var examples = Examples(trainSplit);
        var history = ClassifierTraining.Fit(model, examples, train, validation, options, Defaults, random, context, Name);

        // Then a quarter as many epochs at a tenth of the learning rate, with a fresh optimizer: the step
        // size that found the minimum's basin is too coarse to settle in it (a two-step learning-rate decay).
        // The validation images again keep the best epoch.
        var fineTune = options with
        {
            Epochs = (history.Epochs.Count + 3) / 4,
            LearningRate = (options.LearningRate ?? Defaults.LearningRate) / 10,
            CheckpointPath = options.CheckpointPath is { } checkpoint ? checkpoint + ".fine-tune" : null,  // resumed like the first phase
        };
        var fineTuneHistory = ClassifierTraining.Fit(model, examples, train, validation, fineTune, Defaults, random, context, $"{Name} lr/10");

        var (matrix, loss) = ClassifierTraining.Confusion(model, Examples(testSplit), test, 500, context.DataParallel);
        var result = SavedClassifier.Save(Report(matrix, loss), options, model, history, train.Length, new Dictionary<string, string>
        {
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        }, context);
        result.Histories[$"{config.Cell} lr/10"] = fineTuneHistory;
        return result;
    }

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => SavedClassifier.Load(model, Name);

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var model = SavedClassifier.Load(saved, Name);
        var testSplit = ReadSplit(options, context, train: false);
        var (matrix, loss) = ClassifierTraining.Confusion(model, Examples(testSplit), Enumerable.Range(0, testSplit.Labels.Length).ToArray(), 500);
        return Report(matrix, loss);
    }

    /// <summary>Each image as a (28 steps, 28 pixels) sequence in [0, 1]; the batch tensor is built when needed.</summary>
    private static VectorExamples Examples(MnistSplit split) =>
        new(split.Labels.Length, split.Images.Rows, split.Labels.Select(l => (int)l).ToArray(), indices => split.Images.ToTensor(indices));

    /// <summary>
    /// The training or test split: from a folder given by --data (the IDX files under their original names,
    /// gzipped or not, there or in its <c>mnist</c> subfolder), else the four files of the data folder.
    /// </summary>
    private static MnistSplit ReadSplit(TaskOptions options, TaskContext context, bool train)
    {
        if (options.DataPath is { } path && Directory.Exists(path))
        {
            string nested = Path.Combine(path, Folder);
            return MnistReader.ReadFolder(Directory.Exists(nested) ? nested : path, train);
        }
        var (images, labels) = train ? MnistReader.TrainFiles : MnistReader.TestFiles;
        return MnistReader.Read(TaskData.Resolve(options, context, $"{Folder}/{images}"), TaskData.Resolve(options, context, $"{Folder}/{labels}"));
    }

    private TaskResult Report(ConfusionMatrix matrix, double loss)
    {
        var result = new TaskResult(Name, "accuracy", matrix.Accuracy);
        result.Figures["error_rate"] = 1 - matrix.Accuracy;
        result.Figures["macro_f1"] = matrix.MacroF1;
        result.Figures["loss"] = loss;
        result.Figures["test_examples"] = matrix.Total;
        result.Lines.AddRange(ClassifierTraining.Describe(matrix, DigitNames));
        return result;
    }
}
