using System.CommandLine;
using System.Runtime.InteropServices;
using RecurrentSharp.Cli.Display;
using RecurrentSharp.Cli.Reports;
using RecurrentSharp.Tasks;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Cli.Commands;

/// <summary>The commands that run tasks: tasks, train, eval, predict, generate, info.</summary>
internal static class TaskCommands
{
    public static Command Tasks()
    {
        var command = new Command("tasks", "List the applications, one line each.");
        command.SetAction(_ =>
        {
            foreach (var task in TaskCatalog.All) Console.WriteLine($"{task.Name,-10} {task.Summary}");
            return 0;
        });
        return command;
    }

    public static Command Train()
    {
        var common = new CommonOptions();
        var task = new Argument<string?>("task") { Description = "The task (see `rnn tasks`); without one, the built-in adding-problem demo.", Arity = ArgumentArity.ZeroOrOne };
        var distributed = new Option<bool>("--distributed")
        {
            Description = "Data-parallel training across the ranks of an MPI job (start with mpirun -np N; needs MPICH: apt-get install mpich). --batch stays the global batch.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "--distributed: seconds a rank waits for the others at a collective before the job stops, naming the missing rank.",
            DefaultValueFactory = _ => 120,
        };
        var command = new Command("train", "Train a model for a task and report its test figures.");
        command.Arguments.Add(task);
        common.AddTo(command, training: true);
        command.Options.Add(distributed);
        command.Options.Add(timeout);
        command.SetAction(parse =>
        {
            var options = common.Read(parse);
            var application = TaskCatalog.Find(parse.GetValue(task) ?? "adding");
            if (parse.GetValue(distributed))
                return DistributedTraining.Run(application, options, parse.GetValue(timeout), parse.GetValue(common.Json), parse.GetValue(common.Report));
            var display = new ProgressDisplay();
            // SIGINT (Ctrl+C) or SIGTERM (e.g. `timeout`'s time budget) ends training after the current batch: the
            // trainer keeps the best epoch so far, and the task still reports and saves it. A second signal kills.
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext signal)
            {
                if (stop.IsCancellationRequested) return;
                signal.Cancel = true;
                display.Log($"{signal.Signal}: stopping training after this batch; the best epoch so far is evaluated and saved");
                stop.Cancel();
            }
            using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var result = display.Run(progressFor => application.Train(options, Context(display, progressFor, stop.Token)));
            Finish(result, parse.GetValue(common.Json), parse.GetValue(common.Report), display);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Trains as <c>rnn train ARGS</c> would (the same options, progress on standard error) and returns the result
    /// without printing it: how <c>rnn reproduce</c> reruns README's commands.
    /// </summary>
    public static TaskResult RunTraining(string[] arguments)
    {
        var common = new CommonOptions();
        var task = new Argument<string?>("task") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("train");
        command.Arguments.Add(task);
        common.AddTo(command, training: true);
        var parse = command.Parse(arguments);
        if (parse.Errors.Count > 0) throw new TaskUsageException(string.Join(" ", parse.Errors.Select(e => e.Message)));
        var options = common.Read(parse);
        var application = TaskCatalog.Find(parse.GetValue(task) ?? "adding");
        var display = new ProgressDisplay();
        return display.Run(progressFor => application.Train(options, Context(display, progressFor)));
    }

    public static Command Eval()
    {
        var common = new CommonOptions();
        var model = new Argument<string>("model") { Description = "A model file written by `rnn train`." };
        var command = new Command("eval", "Evaluate a saved model on its task's test data or on --data FILE.");
        command.Arguments.Add(model);
        common.AddTo(command, training: false);
        command.SetAction(parse =>
        {
            var options = common.Read(parse);
            var saved = SavedModel.Load(parse.GetValue(model)!);
            var display = new ProgressDisplay();
            var result = TaskCatalog.Find(saved.Task).Evaluate(saved, options, Context(display, _ => null));
            Finish(result, parse.GetValue(common.Json), parse.GetValue(common.Report), display);
            return 0;
        });
        return command;
    }

    public static Command Predict()
    {
        var model = new Argument<string>("model") { Description = "A model file written by `rnn train`." };
        var inputs = new Argument<string[]>("input") { Description = "Inputs (one per argument); read from standard input, one per line, when none are given.", Arity = ArgumentArity.ZeroOrMore };
        var showAttention = new Option<bool>("--show-attention") { Description = "seq2seq with attention: print each output with its alignment to the source as a text grid (weights in percent)." };
        var vector = new Option<bool>("--vector") { Description = "Autoencoders (seq2seq --mode autoencode, poem-autoencoder): print each input's code vector, one line of numbers (what --decode-vector reads)." };
        var nearest = new Option<int?>("--nearest") { Description = "Autoencoders: list the K training examples nearest to each input by cosine similarity of their code vectors (re-reads the training data, checked by its SHA-256)." };
        var decodeVector = new Option<string?>("--decode-vector") { Description = "Autoencoders: decode from code vectors instead of inputs: a file of one vector per line, or one vector as numbers separated by commas or spaces." };
        var data = new Option<string?>("--data") { Description = "With --nearest: where the training data is now, when it moved (a file, or a folder holding files of the recorded names)." };
        var command = new Command("predict", "Predict with a saved model, one output line per input.");
        command.Arguments.Add(model);
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { showAttention, vector, nearest, decodeVector, data }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var saved = SavedModel.Load(parse.GetValue(model)!);
            var task = TaskCatalog.Find(saved.Task);
            var given = parse.GetValue(inputs) ?? [];
            if (parse.GetValue(decodeVector) is { } vectors)
            {
                if (given.Length > 0) throw new TaskUsageException("--decode-vector decodes vectors, not inputs: give one or the other.");
                foreach (var line in task.DecodeVectors(saved, vectors)) Console.WriteLine(line);
                return 0;
            }
            if (parse.GetValue(nearest) is < 1) throw new TaskUsageException("--nearest must be at least 1.");
            var lines = given.Length > 0 ? given : ReadLines(Console.In);
            var request = new CodeRequest(parse.GetValue(vector), parse.GetValue(nearest) ?? 0, parse.GetValue(data));
            var output = parse.GetValue(showAttention) ? task.ShowAttention(saved, lines)
                : request.Vector || request.Nearest > 0 ? task.PredictCodes(saved, lines, request)
                : task.Predict(saved, lines);
            foreach (var line in output) Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    public static Command Generate()
    {
        var model = new Argument<string>("model") { Description = "A charlm model file." };
        var prime = new Option<string>("--prime") { Description = "Text to start from.", DefaultValueFactory = _ => "" };
        var length = new Option<int>("--length") { Description = "Characters to generate.", DefaultValueFactory = _ => 500 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (lower: safer, higher: wilder).", DefaultValueFactory = _ => 0.8 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 1 };
        var command = new Command("generate", "Sample text from a character language model.");
        command.Arguments.Add(model);
        foreach (var option in new Option[] { prime, length, temperature, seed }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var saved = SavedModel.Load(parse.GetValue(model)!);
            var options = new GenerationOptions(parse.GetValue(prime) ?? "", parse.GetValue(length), parse.GetValue(temperature), parse.GetValue(seed));
            if (options.Length < 0 || !(options.Temperature > 0)) throw new TaskUsageException("--length must be >= 0 and --temperature > 0.");
            Console.WriteLine(TaskCatalog.Find(saved.Task).Generate(saved, options));
            return 0;
        });
        return command;
    }

    public static Command Info()
    {
        var model = new Argument<string>("model") { Description = "A model file written by `rnn train`." };
        var command = new Command("info", "Show a saved model's task, configuration and parameter count.");
        command.Arguments.Add(model);
        command.SetAction(parse =>
        {
            var saved = SavedModel.Load(parse.GetValue(model)!);
            Console.WriteLine($"file:       {saved.Path}");
            Console.WriteLine($"task:       {saved.Task}");
            Console.WriteLine($"model:      {saved.Metadata.GetValueOrDefault("model", "?")}");
            Console.WriteLine($"config:     {saved.Metadata.GetValueOrDefault("config", "{}")}");
            long count = saved.File.Tensors.Sum(t => (long)t.ElementCount);
            Console.WriteLine($"parameters: {count:N0} in {saved.File.Tensors.Count} tensors");
            foreach (var t in saved.File.Tensors)
                Console.WriteLine($"  {t.Name,-32} {t.DType} ({string.Join(", ", t.GetShape())})");
            return 0;
        });
        return command;
    }

    private static TaskContext Context(ProgressDisplay display, Func<string, IProgress<RecurrentSharp.Training.TrainingProgress>?> progressFor,
        CancellationToken cancellation = default) =>
        new() { ProgressFor = progressFor, Log = display.Log, Cancellation = cancellation };

    /// <summary>Prints the result (and writes the report) as <c>rnn train</c> does.</summary>
    internal static void Finish(TaskResult result, bool json, string? report, ProgressDisplay display)
    {
        ResultPrinter.Print(result, json);
        if (report is null) return;
        HtmlReport.Write(report, result);
        display.Log($"report written to {report}");
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return line;
    }
}
