using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Distributed;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// Trains a <see cref="SequenceClassifier"/> with cross-entropy: length-bucketed shuffled batches, the
/// validation accuracy watched for the best epoch, and the best weights kept. Shared by the
/// classification tasks, which only differ in their data.
/// </summary>
public static class ClassifierTraining
{
    /// <summary>Trains on <paramref name="train"/>, selecting on <paramref name="validation"/>; returns the history.</summary>
    public static TrainingHistory Fit(SequenceClassifier model, IClassificationExamples examples, int[] train, int[] validation,
        TaskOptions options, TrainingDefaults defaults, RandomGenerator random, TaskContext context, string label)
    {
        int batchSize = options.BatchSize ?? defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(model, random, options, defaults, context, batch =>
        {
            var logits = examples.Logits(model, batch);
            var targets = batch.Select(examples.Label).ToArray();
            return new(Losses.CrossEntropy(logits, targets), batch.Length);
        }, monitor: validation.Length > 0 ? new MetricMonitor("accuracy", Maximize: true, defaults.Patience) : null);
        var lengths = train.Select(examples.Length).ToArray();
        return trainer.Fit(
            r => BatchOrder.Bucketed(lengths, batchSize, bucketBatches: 20, r).Select(b => b.Select(i => train[i]).ToArray()).ToArray(),
            validation.Length == 0 ? null : () => Validate(model, examples, validation, batchSize, context.DataParallel),
            context.ProgressFor(label), context.Cancellation);
    }

    /// <summary>Accuracy, macro F1 and mean loss on a held-out set.</summary>
    public static IReadOnlyDictionary<string, double> Validate(SequenceClassifier model, IClassificationExamples examples, int[] indices, int batchSize,
        DataParallel? parallel = null)
    {
        var (matrix, loss) = Confusion(model, examples, indices, batchSize, parallel);
        return new Dictionary<string, double> { ["accuracy"] = matrix.Accuracy, ["macro_f1"] = matrix.MacroF1, ["loss"] = loss };
    }

    /// <summary>
    /// Runs the model (in evaluation mode, without the tape) over <paramref name="indices"/>: the confusion matrix
    /// and the mean loss. Data-parallel, each rank runs its share of the examples and the counts are added over the ranks.
    /// </summary>
    public static (ConfusionMatrix Matrix, double Loss) Confusion(SequenceClassifier model, IClassificationExamples examples, int[] indices, int batchSize,
        DataParallel? parallel = null)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var matrix = new ConfusionMatrix(model.Config.Classes);
        var (start, count) = parallel?.ShareOf(indices.Length) ?? (0, indices.Length);
        double lossSum = 0;
        foreach (var batch in BatchOrder.Sequential(count, batchSize))
        {
            var ids = batch.Select(i => indices[start + i]).ToArray();
            var logits = examples.Logits(model, ids);
            var targets = ids.Select(examples.Label).ToArray();
            lossSum += Losses.CrossEntropy(logits, targets, reduction: Reduction.Sum).Item();
            matrix.AddRange(targets, logits.ArgMaxRows());
        }
        if (parallel is null) return (matrix, lossSum / Math.Max(1, indices.Length));
        // The counts and the loss sum of every rank, added up.
        int classes = matrix.Classes;
        var totals = new double[classes * classes + 1];
        for (int a = 0; a < classes; a++)
            for (int p = 0; p < classes; p++) totals[a * classes + p] = matrix[a, p];
        totals[^1] = lossSum;
        parallel.Sum(totals, "the evaluation sums", parallel.Steps);
        var all = new ConfusionMatrix(classes);
        for (int a = 0; a < classes; a++)
            for (int p = 0; p < classes; p++) all.Add(a, p, (long)totals[a * classes + p]);
        return (all, totals[^1] / Math.Max(1, indices.Length));
    }

    /// <summary>Per-class precision/recall/F1 lines and the confusion matrix, for the console.</summary>
    public static IEnumerable<string> Describe(ConfusionMatrix matrix, IReadOnlyList<string> labels)
    {
        yield return $"{"class",-20} {"precision",9} {"recall",9} {"F1",9}";
        for (int c = 0; c < matrix.Classes; c++)
            yield return $"{labels[c],-20} {matrix.Precision(c),9:F4} {matrix.Recall(c),9:F4} {matrix.F1(c),9:F4}";
        yield return $"{"macro",-20} {matrix.MacroPrecision,9:F4} {matrix.MacroRecall,9:F4} {matrix.MacroF1,9:F4}";
        foreach (var line in matrix.Format(labels).TrimEnd().Split('\n')) yield return line;
    }
}
