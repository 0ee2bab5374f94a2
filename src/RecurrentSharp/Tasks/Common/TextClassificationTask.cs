using System.Globalization;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// A task that classifies short texts: words → embedding → recurrent encoder → class. The data is split
/// with the seed into a stratified test part and a training part (of which 10% is held out to pick the
/// best epoch); the vocabulary comes from the training part only. A saved model keeps its vocabulary and
/// seed, so <c>rnn eval</c> re-creates the same test part (the whole of it, also for a model trained with
/// <c>--limit</c>), or reads any file given with <c>--data</c> (only the test part when that file holds exactly
/// the data the model was trained on).
/// The tasks differ only in their data, their defaults and the figures they report.
/// </summary>
public abstract class TextClassificationTask : ApplicationTask
{
    /// <summary>The class names by label.</summary>
    protected abstract IReadOnlyList<string> LabelNames { get; }

    /// <summary>The fraction of the data held out for the test figures.</summary>
    protected abstract double TestFraction { get; }

    /// <summary>Words kept from the start of each text.</summary>
    protected virtual int MaxTokens => 100;

    /// <summary>
    /// Words seen fewer times in the training part become the unknown word. Above 1, the unknown word's vector is
    /// trained (on the rare words), which unseen test words then share; at 1 (the default) it stays at its initial
    /// values, which measured better for sentiment with its heavy embedding dropout.
    /// </summary>
    protected virtual int MinWordCount => 1;

    /// <summary>The training settings the command line may override.</summary>
    protected abstract TrainingDefaults Defaults { get; }

    /// <summary>The default model for a vocabulary of <paramref name="vocabulary"/> ids, adjusted by the options.</summary>
    protected abstract SequenceClassifierConfig ModelConfig(TaskOptions options, int vocabulary);

    /// <summary>The task's own dataset (found through --data, RNN_DATA or the cache).</summary>
    protected abstract IReadOnlyList<LabeledText> ReadDataset(TaskOptions options, TaskContext context);

    /// <summary>A file named by <c>--data</c> at evaluation time.</summary>
    protected abstract IReadOnlyList<LabeledText> ReadFile(string path, TaskOptions options, TaskContext context);

    /// <summary>Adds the task's own figures (beside accuracy, macro F1, loss and the example count).</summary>
    protected virtual void AddFigures(TaskResult result, ConfusionMatrix matrix) { }

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var texts = ReadDataset(options, context);
        if (texts.Count == 0) throw new TaskUsageException($"The {Name} dataset holds no usable lines.");
        var random = new RandomGenerator(options.Seed);
        var labels = texts.Select(m => m.Label).ToArray();
        var (train, validation, test) = Split(labels, random);
        if (options.Limit is { } limit)
        {
            // A seeded sample of each part (the parts are in file order, and a file may hold one class after another).
            if (limit <= 0) throw new TaskUsageException($"--limit must be positive, got {limit}.");
            train = Sample(train, limit, random);
            validation = Sample(validation, Math.Max(1, limit / 4), random);
            test = Sample(test, Math.Max(1, limit / 4), random);
        }
        if (train.Length == 0 || test.Length == 0) throw new TaskUsageException($"The {Name} dataset holds too few lines ({texts.Count}) for a training and a test part.");

        var tokens = texts.Select(m => Tokenize(m.Text)).ToArray();
        var vocabulary = Vocabulary.Build(train.Select(i => tokens[i]), minCount: MinWordCount, maxSize: 30000);
        var examples = new TokenExamples(tokens.Select(t => Encode(vocabulary, t)).ToArray(), labels);
        var config = ModelConfig(options, vocabulary.Count);
        var model = new SequenceClassifier(config, random);
        context.Log($"{Name}: {train.Length} training, {validation.Length} validation, {test.Length} test texts; vocabulary {vocabulary.Count}");

        var history = ClassifierTraining.Fit(model, examples, train, validation, options, Defaults, random, context, Name);
        var (matrix, loss) = ClassifierTraining.Confusion(model, examples, test, 128, context.DataParallel);
        var result = Report(matrix, loss);
        result.Figures["best_epoch"] = history.BestEpoch;
        SavedClassifier.Save(result, options, model, history, train.Length, new Dictionary<string, string>
        {
            ["vocabulary"] = vocabulary.ToJson(),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            [SavedModel.DataFingerprintKey] = Fingerprint(texts),
        }, context);
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, vocabulary) = Load(saved);
        IReadOnlyList<LabeledText> texts;
        int[] indices;
        int seed = saved.RequireInt("seed");
        if (options.DataPath is { } path && File.Exists(path))
        {
            texts = ReadFile(path, options, context);
            indices = Enumerable.Range(0, texts.Count).ToArray();
            if (saved.WasTrainedOn(Fingerprint(texts)))
            {
                // The very file the model was trained on: score its test part only, never the training part.
                context.Log($"{path} is the file this model was trained on: evaluating its held-out test part");
                indices = Split(texts.Select(m => m.Label).ToArray(), new RandomGenerator(seed)).Test;
            }
        }
        else
        {
            // The test part of the split the model was trained with.
            texts = ReadDataset(options, context);
            indices = Split(texts.Select(m => m.Label).ToArray(), new RandomGenerator(seed)).Test;
        }
        if (indices.Length == 0) throw new TaskUsageException($"No usable lines to evaluate {saved.Path} on.");
        var examples = new TokenExamples(texts.Select(m => Encode(vocabulary, Tokenize(m.Text))).ToArray(), texts.Select(m => m.Label).ToArray());
        var (matrix, loss) = ClassifierTraining.Confusion(model, examples, indices, 128);
        return Report(matrix, loss);
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, vocabulary) = Load(saved);
        foreach (var text in inputs)
        {
            using var noGrad = new NoGradScope();
            var probabilities = new TokenExamples([Encode(vocabulary, Tokenize(text))], [0]).Logits(model, [0]).Softmax(-1).ToArray();
            int best = Array.IndexOf(probabilities, probabilities.Max());
            yield return string.Create(CultureInfo.InvariantCulture, $"{LabelNames[best]}\t{probabilities[best]:F4}\t{text}");
        }
    }

    /// <summary>
    /// The seeded split: a stratified test part, then 10% of the rest (stratified again) for validation.
    /// The first draw of the generator decides the test part, so evaluation can re-create it from the seed.
    /// </summary>
    private (int[] Train, int[] Validation, int[] Test) Split(int[] labels, RandomGenerator random)
    {
        var split = DataSplit.Stratified(labels, TestFraction, random);
        var inner = DataSplit.Stratified(split.Train.Select(i => labels[i]).ToArray(), 0.1, random);
        return (inner.Train.Select(i => split.Train[i]).ToArray(), inner.Evaluate.Select(i => split.Train[i]).ToArray(), split.Evaluate);
    }

    /// <summary>The tokens of a text, at most <see cref="MaxTokens"/>: its words (see <see cref="WordTokenizer"/>) by default.</summary>
    protected virtual IEnumerable<string> TokensOf(string text) => WordTokenizer.Tokenize(text);

    private static int[] Sample(int[] indices, int count, RandomGenerator random)
    {
        var order = random.Permutation(indices.Length);
        return order.Take(count).Select(i => indices[i]).Order().ToArray();
    }

    /// <summary>SHA-256 over every text and label: recognizes the training data however it is named or placed.</summary>
    private static string Fingerprint(IReadOnlyList<LabeledText> texts)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var t in texts) hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{t.Label}\t{t.Text}\n"));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private string[] Tokenize(string text) => TokensOf(text).Take(MaxTokens).ToArray();

    /// <summary>Token ids; a text without words becomes the single unknown token.</summary>
    private static int[] Encode(Vocabulary vocabulary, string[] tokens) => tokens.Length == 0 ? [Vocabulary.UnknownId] : vocabulary.Encode(tokens);

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (SequenceClassifier Model, Vocabulary Vocabulary) Load(SavedModel saved) =>
        (SavedClassifier.Load(saved, Name), Vocabulary.FromJson(saved.Require("vocabulary"), saved.Path));

    private TaskResult Report(ConfusionMatrix matrix, double loss)
    {
        var result = new TaskResult(Name, "accuracy", matrix.Accuracy);
        AddFigures(result, matrix);
        result.Figures["macro_f1"] = matrix.MacroF1;
        result.Figures["loss"] = loss;
        result.Figures["test_examples"] = matrix.Total;
        result.Lines.AddRange(ClassifierTraining.Describe(matrix, LabelNames));
        return result;
    }
}
