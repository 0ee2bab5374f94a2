namespace RecurrentSharp.Tasks;

/// <summary>
/// One application of the library: it wires a dataset reader, a model and metrics. A task trains a model
/// (and saves it with everything needed to use it again), evaluates a saved model, and may predict on
/// new inputs or generate text.
/// </summary>
public abstract class ApplicationTask
{
    /// <summary>The command-line name (e.g. "sms-spam").</summary>
    public abstract string Name { get; }

    /// <summary>One line for <c>rnn tasks</c>.</summary>
    public abstract string Summary { get; }

    /// <summary>Trains the default (or adjusted) model and reports test figures.</summary>
    public abstract TaskResult Train(TaskOptions options, TaskContext context);

    /// <summary>Evaluates a saved model on the task's test data, or on <see cref="TaskOptions.DataPath"/>.</summary>
    public abstract TaskResult Evaluate(SavedModel model, TaskOptions options, TaskContext context);

    /// <summary>Predicts one output line per input line.</summary>
    public virtual IEnumerable<string> Predict(SavedModel model, IEnumerable<string> inputs) =>
        throw new TaskUsageException($"The {Name} task does not predict from text input.");

    /// <summary>
    /// For an autoencoder: each input's reconstruction with its code vector and/or the training examples nearest to it
    /// (<see cref="CodeRequest"/>).
    /// </summary>
    public virtual IEnumerable<string> PredictCodes(SavedModel model, IEnumerable<string> inputs, CodeRequest request) =>
        throw new TaskUsageException($"Model {model.Path} was trained for the {Name} task, which has no code vectors (only autoencoders do: seq2seq --mode autoencode, poem-autoencoder).");

    /// <summary>For an autoencoder: the text decoded from each given code vector (see <see cref="Common.CodeVectors"/> for the text form).</summary>
    public virtual IEnumerable<string> DecodeVectors(SavedModel model, string vectors) =>
        throw new TaskUsageException($"Model {model.Path} was trained for the {Name} task, which cannot decode from a vector (only autoencoders can: seq2seq --mode autoencode, poem-autoencoder).");

    /// <summary>For a model with attention: the decoded output of each input and, as a text grid, where it looked while writing it.</summary>
    public virtual IEnumerable<string> ShowAttention(SavedModel model, IEnumerable<string> inputs) =>
        throw new TaskUsageException($"Model {model.Path} was trained for the {Name} task, which has no attention to show.");

    /// <summary>Samples text from a saved language model.</summary>
    public virtual string Generate(SavedModel model, GenerationOptions options) =>
        throw new TaskUsageException($"Model {model.Path} was trained for the {Name} task, which does not generate text; use a charlm model.");

    /// <summary>
    /// The network inside a saved model, loaded and in evaluation mode, e.g. for ONNX export; the vocabularies
    /// and scalers stay in the model file. Tasks that save no model refuse.
    /// </summary>
    public virtual RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) =>
        throw new TaskUsageException($"The {Name} task saves no model whose network could be loaded.");
}

/// <summary>Settings for <see cref="ApplicationTask.Generate"/>.</summary>
/// <param name="Prime">Text to start from.</param>
/// <param name="Length">Characters to generate.</param>
/// <param name="Temperature">Softmax temperature (lower is more conservative).</param>
/// <param name="Seed">The sampling seed.</param>
public sealed record GenerationOptions(string Prime = "", int Length = 500, double Temperature = 1.0, int Seed = 1);

/// <summary>A request that does not fit the task or model (the CLI prints the message and exits non-zero).</summary>
public sealed class TaskUsageException : RecurrentSharpException
{
    /// <summary>Creates the exception.</summary>
    public TaskUsageException(string message) : base(message) { }
}
