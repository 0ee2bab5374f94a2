using RecurrentSharp.Models;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Common;

/// <summary>Saving a trained <see cref="SequenceClassifier"/> with its task result, and loading it back for evaluation.</summary>
public static class SavedClassifier
{
    /// <summary>
    /// Records the training run in <paramref name="result"/> (history, training examples, why it stopped) and saves
    /// the model with its configuration and <paramref name="metadata"/> to --out (default <c>./TASK.safetensors</c>).
    /// </summary>
    public static TaskResult Save(TaskResult result, TaskOptions options, SequenceClassifier model, TrainingHistory history, int trainExamples,
        IReadOnlyDictionary<string, string> metadata, TaskContext context)
    {
        result.Histories[model.Config.Cell] = history;
        result.Figures["train_examples"] = trainExamples;
        result.Figures["stopped"] = history.StopReason.ToString();
        string path = options.OutputPath ?? $"{result.Task}.safetensors";
        if (context.WritesFiles) SavedModel.Save(path, result.Task, model, model.Config, metadata);
        result.ModelPath = path;
        return result;
    }

    /// <summary>The classifier of a saved model of <paramref name="task"/>, in evaluation mode; refuses another task's model.</summary>
    public static SequenceClassifier Load(SavedModel saved, string task)
    {
        saved.RequireTask(task);
        var model = new SequenceClassifier(saved.Config<SequenceClassifierConfig>());
        saved.LoadInto(model);
        model.Eval();
        return model;
    }
}
