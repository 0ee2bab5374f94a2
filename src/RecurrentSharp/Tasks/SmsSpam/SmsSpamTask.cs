using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.SmsSpam;

/// <summary>
/// Spam filtering on the SMS Spam Collection (Almeida et al. 2011): words → embedding → LSTM → spam or
/// ham, on a seeded stratified 80/20 split (10% of the training part held out for model selection).
/// </summary>
public sealed class SmsSpamTask : TextClassificationTask
{
    private const string DataFile = "sms-spam/SMSSpamCollection";

    /// <inheritdoc/>
    public override string Name => "sms-spam";

    /// <inheritdoc/>
    public override string Summary => "SMS Spam Collection: word embedding + LSTM classifies spam/ham (80/20 stratified split; target accuracy >= 98.5%, spam F1 >= 0.93)";

    /// <inheritdoc/>
    protected override IReadOnlyList<string> LabelNames => SmsSpamReader.LabelNames;

    /// <inheritdoc/>
    protected override double TestFraction => 0.2;

    /// <inheritdoc/>
    protected override int MaxTokens => 80;

    /// <inheritdoc/>
    protected override TrainingDefaults Defaults { get; } = new(Epochs: 8, BatchSize: 32, LearningRate: 2e-3, Patience: 4);

    /// <inheritdoc/>
    protected override SequenceClassifierConfig ModelConfig(TaskOptions options, int vocabulary) =>
        new(Classes: 2, HiddenSize: options.Hidden ?? 64, Cell: options.Cell ?? "lstm", Layers: options.Layers ?? 1,
            Bidirectional: options.Bidirectional ?? false, Dropout: options.Dropout ?? 0.3f, Vocabulary: vocabulary, EmbeddingSize: 64);

    /// <summary>
    /// Words and symbols (<c>£</c>, <c>!</c>, <c>&amp;</c> are strong spam signs), with the digits of every number of
    /// three digits or more replaced by 0: the model learns "an 11-digit phone number" or "a 5-digit short code"
    /// instead of meeting each number once.
    /// </summary>
    protected override IEnumerable<string> TokensOf(string text) =>
        WordTokenizer.Tokenize(text, keepSymbols: true).Select(t => t.Count(char.IsAsciiDigit) >= 3 ? new string(t.Select(c => char.IsAsciiDigit(c) ? '0' : c).ToArray()) : t);

    /// <inheritdoc/>
    protected override IReadOnlyList<LabeledText> ReadDataset(TaskOptions options, TaskContext context) =>
        ReadFile(TaskData.Resolve(options, context, DataFile), options, context);

    /// <inheritdoc/>
    protected override IReadOnlyList<LabeledText> ReadFile(string path, TaskOptions options, TaskContext context) =>
        TaskData.Records(SmsSpamReader.Read(path, options.Strict), context);

    /// <inheritdoc/>
    protected override void AddFigures(TaskResult result, ConfusionMatrix matrix)
    {
        result.Figures["spam_f1"] = matrix.F1(1);
        result.Figures["spam_precision"] = matrix.Precision(1);
        result.Figures["spam_recall"] = matrix.Recall(1);
    }
}
