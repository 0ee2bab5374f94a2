using System.Globalization;
using RecurrentSharp.Autograd;
using RecurrentSharp.Data;
using RecurrentSharp.Recurrent.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.SmsSpam;

/// <summary>
/// Spam filtering on the SMS Spam Collection (Almeida et al. 2011): words → embedding → LSTM → spam or
/// ham, on a seeded stratified 80/20 split (10% of the training part held out for model selection).
/// </summary>
public sealed class SmsSpamTask : ApplicationTask
{
    private const string DataFile = "sms-spam/SMSSpamCollection";
    private const int MaxTokens = 80;
    private static readonly TrainingDefaults Defaults = new(Epochs: 8, BatchSize: 32, LearningRate: 2e-3, Patience: 4);

    /// <inheritdoc/>
    public override string Name => "sms-spam";

    /// <inheritdoc/>
    public override string Summary => "SMS Spam Collection: word embedding + LSTM classifies spam/ham (80/20 stratified split; target accuracy >= 98.5%, spam F1 >= 0.93)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var messages = Read(TaskData.Resolve(options, context, DataFile), options, context);
        var random = new RandomGenerator(options.Seed);
        var labels = messages.Select(m => m.Label).ToArray();
        var split = DataSplit.Stratified(labels, 0.2, random);
        var inner = DataSplit.Stratified(split.Train.Select(i => labels[i]).ToArray(), 0.1, random);
        int[] train = inner.Train.Select(i => split.Train[i]).ToArray();
        int[] validation = inner.Evaluate.Select(i => split.Train[i]).ToArray();
        int[] test = split.Evaluate;
        if (options.Limit is { } limit)
        {
            train = train.Take(limit).ToArray();
            validation = validation.Take(Math.Max(1, limit / 4)).ToArray();
            test = test.Take(Math.Max(1, limit / 4)).ToArray();
        }

        var tokens = messages.Select(m => Tokenize(m.Text)).ToArray();
        var vocabulary = Vocabulary.Build(train.Select(i => tokens[i]), minCount: 1, maxSize: 20000);
        var examples = new TokenExamples(tokens.Select(t => Encode(vocabulary, t)).ToArray(), labels);
        var config = new SequenceClassifierConfig(Classes: 2, HiddenSize: options.Hidden ?? 64, Cell: options.Cell ?? "lstm",
            Layers: options.Layers ?? 1, Bidirectional: options.Bidirectional ?? false, Dropout: options.Dropout ?? 0.3f,
            Vocabulary: vocabulary.Count, EmbeddingSize: 64);
        var model = new SequenceClassifier(config, random);
        context.Log($"sms-spam: {train.Length} training, {validation.Length} validation, {test.Length} test messages; vocabulary {vocabulary.Count}");

        var history = ClassifierTraining.Fit(model, examples, train, validation, options, Defaults, random, context, Name);
        var (matrix, loss) = ClassifierTraining.Confusion(model, examples, test, 128);
        var result = Report(matrix, loss);
        result.Histories[config.Cell] = history;
        result.Figures["train_examples"] = train.Length;
        result.Figures["stopped"] = history.StopReason.ToString();

        string path = options.OutputPath ?? $"{Name}.safetensors";
        SavedModel.Save(path, Name, model, config, new Dictionary<string, string>
        {
            ["vocabulary"] = vocabulary.ToJson(),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        });
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, vocabulary) = Load(saved);
        List<LabeledText> messages;
        int[] indices;
        if (options.DataPath is { } path && File.Exists(path))
        {
            messages = [.. Read(path, options, context)];
            indices = Enumerable.Range(0, messages.Count).ToArray();
        }
        else
        {
            // The held-out 20% of the split the model was trained with.
            messages = [.. Read(TaskData.Resolve(options, context, DataFile), options, context)];
            int seed = int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture);
            indices = DataSplit.Stratified(messages.Select(m => m.Label).ToArray(), 0.2, new RandomGenerator(seed)).Evaluate;
        }
        var examples = new TokenExamples(messages.Select(m => Encode(vocabulary, Tokenize(m.Text))).ToArray(), messages.Select(m => m.Label).ToArray());
        var (matrix, loss) = ClassifierTraining.Confusion(model, examples, indices, 128);
        return Report(matrix, loss);
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, vocabulary) = Load(saved);
        model.Eval();
        foreach (var text in inputs)
        {
            using var noGrad = new NoGradScope();
            var probabilities = new TokenExamples([Encode(vocabulary, Tokenize(text))], [0]).Logits(model, [0]).Softmax(-1).ToArray();
            int best = probabilities[1] > probabilities[0] ? 1 : 0;
            yield return string.Create(CultureInfo.InvariantCulture, $"{SmsSpamReader.LabelNames[best]}\t{probabilities[best]:F4}\t{text}");
        }
    }

    private static IReadOnlyList<LabeledText> Read(string path, TaskOptions options, TaskContext context) =>
        TaskData.Records(SmsSpamReader.Read(path, options.Strict), context);

    private static string[] Tokenize(string text) => WordTokenizer.Tokenize(text).Take(MaxTokens).ToArray();

    /// <summary>Token ids; a message without words becomes the single unknown token.</summary>
    private static int[] Encode(Vocabulary vocabulary, string[] tokens) => tokens.Length == 0 ? [Vocabulary.UnknownId] : vocabulary.Encode(tokens);

    private (SequenceClassifier Model, Vocabulary Vocabulary) Load(SavedModel saved)
    {
        if (saved.Task != Name) throw new TaskUsageException($"{saved.Path} was trained for the {saved.Task} task, not {Name}.");
        var model = new SequenceClassifier(saved.Config<SequenceClassifierConfig>());
        saved.LoadInto(model);
        model.Eval();
        return (model, Vocabulary.FromJson(saved.Require("vocabulary"), saved.Path));
    }

    private TaskResult Report(Training.Metrics.ConfusionMatrix matrix, double loss)
    {
        var result = new TaskResult(Name, "accuracy", matrix.Accuracy);
        result.Figures["spam_f1"] = matrix.F1(1);
        result.Figures["spam_precision"] = matrix.Precision(1);
        result.Figures["spam_recall"] = matrix.Recall(1);
        result.Figures["macro_f1"] = matrix.MacroF1;
        result.Figures["loss"] = loss;
        result.Figures["test_examples"] = matrix.Total;
        result.Lines.AddRange(ClassifierTraining.Describe(matrix, SmsSpamReader.LabelNames));
        return result;
    }
}
