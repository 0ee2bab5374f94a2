using System.Globalization;
using System.Runtime.InteropServices;
using RecurrentSharp.Cli.Display;
using RecurrentSharp.Tasks;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Cli.Commands;

/// <summary>
/// <c>rnn train TASK --distributed</c> under <c>mpirun</c>: every rank trains its share of each batch; rank 0
/// prints progress and the result and writes the model and checkpoints; a failure on any rank is printed by
/// that rank, naming it, and ends the whole job (MPI_Abort) so that no rank waits forever.
/// </summary>
internal static class DistributedTraining
{
    public static int Run(ApplicationTask application, TaskOptions options, double timeoutSeconds, bool json, string? report)
    {
        if (!(timeoutSeconds > 0)) throw new TaskUsageException($"--timeout must be a positive number of seconds, got {timeoutSeconds}.");
        var communicator = MpiCommunicator.Initialize(TimeSpan.FromSeconds(timeoutSeconds));
        var parallel = new DataParallel(communicator);
        var display = new ProgressDisplay();
        using var stop = new CancellationTokenSource();
        // SIGINT/SIGTERM on any rank: every rank stops after the same step (the trainer agrees on it in the step's allreduce).
        void Stop(PosixSignalContext signal)
        {
            if (stop.IsCancellationRequested) return;
            signal.Cancel = true;
            stop.Cancel();
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            // Which process is which rank: when a rank dies, mpirun names only its PID.
            var pids = new double[parallel.Size];
            pids[parallel.Rank] = Environment.ProcessId;
            communicator.AllreduceSum(pids, new Collective("the start-up exchange of process ids", 0));
            if (parallel.IsRoot)
                display.Log("distributed: " + string.Join(", ", pids.Select((pid, rank) => string.Create(CultureInfo.InvariantCulture, $"rank {rank} is PID {pid:0}"))) +
                    $" (rank 0 on {communicator.Host})");
            if (parallel.IsRoot)
                display.Log(string.Create(CultureInfo.InvariantCulture,
                    $"distributed: {parallel.Size} ranks over MPI ({MpiCommunicator.Library}), global batch {options.BatchSize?.ToString(CultureInfo.InvariantCulture) ?? "(task default)"}, " +
                    $"gradient buckets of {parallel.BucketBytes >> 20} MB, collective timeout {timeoutSeconds:0.#} s"));
            // Only rank 0 shows progress and status lines; the others train quietly.
            var result = parallel.IsRoot
                ? display.Run(progressFor => application.Train(options, new TaskContext { ProgressFor = progressFor, Log = display.Log, Cancellation = stop.Token, DataParallel = parallel }))
                : application.Train(options, new TaskContext { Cancellation = stop.Token, DataParallel = parallel });
            if (parallel.IsRoot)
            {
                if (parallel.Steps > 0) display.Log(Summary(parallel));
                if (parallel.VerifiedStep is { } verified)
                    display.Log($"distributed: all {parallel.Size} ranks hold the same parameters, bit for bit, after step {verified}");
                TaskCommands.Finish(result, json, report, display);
            }
        }
        catch (Exception e) when (e is RecurrentSharpException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            // This rank cannot go on: say so, naming the rank, and end every rank of the job.
            Console.Error.WriteLine($"error: {(e.Message.StartsWith("rank ", StringComparison.Ordinal) ? e.Message : $"rank {parallel.Rank} ({communicator.Host}): {e.Message}")}");
            Console.Error.Flush();
            communicator.Abort(e is DistributedException ? 3 : 1);
            return 1;
        }
        communicator.Dispose();
        return 0;
    }

    /// <summary>The step time, the share of it in the allreduce and the throughput, for the log.</summary>
    private static string Summary(DataParallel parallel) => string.Create(CultureInfo.InvariantCulture,
        $"distributed: {parallel.Steps} steps, {parallel.Examples} samples in {parallel.StepSeconds:F2} s ({parallel.Examples / Math.Max(1e-9, parallel.StepSeconds):F1} samples/s, " +
        $"{1000 * parallel.StepSeconds / parallel.Steps:F1} ms/step); " +
        $"allreduce {1000 * parallel.AllreduceSeconds / parallel.Steps:F2} ms/step ({100 * parallel.AllreduceSeconds / Math.Max(1e-9, parallel.StepSeconds):F1}% of the step), " +
        $"{parallel.GradientBytesPerStep / 1e6:F2} MB of gradients per step");
}
