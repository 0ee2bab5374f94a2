using System.Globalization;
using System.Text;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Kernels;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Training;
using RecurrentSharp.Tasks.Common;

namespace RecurrentSharp.Tasks.Adding;

/// <summary>
/// The built-in demo (<c>rnn train</c> with no task): a plain tanh RNN, an LSTM and a GRU side by side on the
/// adding problem (T = 50), a long-memory task generated on the fly (no download). It shows the
/// vanishing-gradient effect twice: in the final errors (the RNN stays near the 0.167 of always answering
/// 1, the gated cells go far below), and in ‖∂loss/∂h_t‖ measured at the start of training for every step t,
/// which fades going back in time for the RNN but not for the LSTM.
/// </summary>
public sealed class AddingDemoTask : ApplicationTask
{
    private static readonly string[] Cells = ["rnn", "lstm", "gru"];

    /// <inheritdoc/>
    public override string Name => "adding";

    /// <inheritdoc/>
    public override string Summary => "Built-in demo, no download: RNN vs LSTM vs GRU on the adding problem (T=50), with per-step gradient norms showing the vanishing gradient";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        int steps = int.Parse(options.Get("length") ?? "50", CultureInfo.InvariantCulture);
        int hidden = options.Hidden ?? 32;
        int batch = options.BatchSize ?? 64;
        int epochs = options.Epochs ?? 10;
        int stepsPerEpoch = options.Limit ?? 100;
        double lr = options.LearningRate ?? 0.01;
        string[] cells = options.Cell is null ? Cells : options.Cell.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (testX, testY) = AddingProblem.Batch(new RandomGenerator(options.Seed + 1000), 1000, steps);
        var (probeX, probeY) = AddingProblem.Batch(new RandomGenerator(options.Seed + 2000), 64, steps);
        context.Log($"adding problem, T = {steps}: {epochs} epochs x {stepsPerEpoch} batches of {batch}; baseline MSE (always 1.0) = {AddingProblem.BaselineMse:F3}");

        var runs = new Run[cells.Length];
        // The cells train side by side, one thread each, with their kernels kept to that thread.
        Parallel.For(0, cells.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, KernelThreads.Count) }, i =>
        {
            using var limit = KernelThreads.Limit(1);
            runs[i] = TrainOne(cells[i], steps, hidden, batch, epochs, stepsPerEpoch, lr, options, (testX, testY), (probeX, probeY), context);
        });

        var lstm = runs.FirstOrDefault(r => r.Cell == "lstm") ?? runs[0];
        var result = new TaskResult(Name, $"{lstm.Cell}_mse", lstm.Mse);
        result.Figures["baseline_mse"] = (double)AddingProblem.BaselineMse;
        result.Figures["sequence_length"] = steps;
        result.Figures["results"] = runs.Select(r => new Dictionary<string, object>
        {
            ["cell"] = r.Cell, ["mse"] = Math.Round(r.Mse, 6), ["seconds"] = Math.Round(r.Seconds, 1),
            ["grad_ratio_first_to_last"] = r.GradNorms[0] / r.GradNorms[^1],
        }).ToList();
        result.Figures["grad_norms"] = runs.ToDictionary(r => r.Cell, r => r.GradNorms.Reverse().ToArray());   // unrounded: the plain RNN's fall to 1e-14 is the point
        foreach (var r in runs) result.Histories[r.Cell] = r.History;

        result.Lines.Add($"{"cell",-6} {"test MSE",9} {"vs 1.0-baseline",16} {"|dL/dh_1| / |dL/dh_T|",22} {"time",7}");
        foreach (var r in runs)
            result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.Cell,-6} {r.Mse,9:F4} {r.Mse / AddingProblem.BaselineMse,15:P0} {r.GradNorms[0] / r.GradNorms[^1],22:G3} {r.Seconds,6:F1}s"));
        result.Lines.Add("");
        result.Lines.Add($"|dL/dh_t| at the start of training, t = {steps} (left) back to 1 (right), log scale:");
        double max = runs.Max(r => r.GradNorms.Max()), min = Math.Max(1e-30, runs.Min(r => r.GradNorms.Where(v => v > 0).DefaultIfEmpty(1e-30).Min()));
        foreach (var r in runs) result.Lines.Add($"{r.Cell,-6} {Bars(r.GradNorms.Reverse().ToArray(), min, max)}");
        return result;
    }

    private sealed record Run(string Cell, double Mse, double[] GradNorms, TrainingHistory History, double Seconds);

    private static Run TrainOne(string cell, int steps, int hidden, int batch, int epochs, int stepsPerEpoch, double lr, TaskOptions options,
        (Tensor X, Tensor Y) test, (Tensor X, Tensor Y) probe, TaskContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var random = new RandomGenerator(options.Seed);
        var model = new Regressor(RecurrentLayer.Create(CellSpec.Parse(cell), 2, hidden, random: random), new Linear(hidden, 1, random: random));
        var norms = HiddenGradientProbe.Measure(model.Rnn, probe.X, h => Losses.MeanSquaredError(model.Head.Forward(h), probe.Y));
        // The three cells train with one set of settings; each run keeps its own checkpoint (PATH.rnn, PATH.lstm, PATH.gru).
        var trainer = TaskTrainer.Create<int>(model, random, options, new TrainingDefaults(epochs, batch, lr, Clip: 1.0), context, _ =>
        {
            var (x, y) = AddingProblem.Batch(random, batch, steps);
            return new(Losses.MeanSquaredError(model.Forward(x), y), batch);
        }, epochs: epochs, checkpointSuffix: "." + cell);
        var history = trainer.Fit(_ => Enumerable.Range(0, stepsPerEpoch).ToArray(),
            () => new Dictionary<string, double> { ["mse"] = Mse(model, test) }, context.ProgressFor(cell), context.Cancellation);
        return new Run(cell, Mse(model, test), norms, history, clock.Elapsed.TotalSeconds);
    }

    private static double Mse(Regressor model, (Tensor X, Tensor Y) data)
    {
        using var noGrad = new NoGradScope();
        return Losses.MeanSquaredError(model.Forward(data.X), data.Y).Item();
    }

    /// <summary>One block character per step, height by log10 of the norm.</summary>
    private static string Bars(double[] values, double min, double max)
    {
        const string blocks = " ▁▂▃▄▅▆▇█";
        double low = Math.Log10(min), high = Math.Log10(max);
        var sb = new StringBuilder();
        foreach (var v in values)
        {
            double level = v <= 0 ? 0 : (Math.Log10(v) - low) / Math.Max(1e-12, high - low);
            sb.Append(blocks[Math.Clamp((int)Math.Round(level * (blocks.Length - 1)), 0, blocks.Length - 1)]);
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel model, TaskOptions options, TaskContext context) =>
        throw new TaskUsageException("The adding demo trains and reports in one go; it saves no model to evaluate.");

    /// <summary>The final hidden state read by a linear layer.</summary>
    private sealed class Regressor : Module
    {
        public Regressor(RecurrentLayer rnn, Linear head)
        {
            Rnn = RegisterModule("rnn", rnn);
            Head = RegisterModule("head", head);
        }

        public RecurrentLayer Rnn { get; }
        public Linear Head { get; }

        public Tensor Forward(Tensor x) => Head.Forward(Rnn.Forward(x).Hidden.Squeeze(0));
    }
}
