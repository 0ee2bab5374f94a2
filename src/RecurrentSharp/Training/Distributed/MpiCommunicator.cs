using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RecurrentSharp.Training.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over MPI's <c>MPI_COMM_WORLD</c> (see <see cref="MpiLibrary"/> for the binding),
/// with a watchdog: every collective is started non-blocking and polled, and when it has not completed within
/// <see cref="Timeout"/> this rank throws <see cref="DistributedException"/> naming the rank that did not arrive.
/// </summary>
/// <remarks>
/// <para>How the missing rank is known: with every collective each rank also posts a tiny arrival note
/// (<c>MPI_Isend</c> of the collective's sequence number) to rank 0, and rank 0 one to every rank. When the
/// collective times out, rank 0 sees whose notes never came and names them; any other rank sees whether rank
/// 0's note came (then rank 0 names the culprit, and this rank waits a little longer so that rank 0 speaks
/// first) or not (then rank 0 itself is the one missing). The notes cost 2(N − 1) messages of 4 bytes per
/// collective, nothing next to the gradients.</para>
/// <para>A rank that dies is a different case: under <c>mpirun</c> (MPICH's hydra) the launcher sees the
/// process end and kills the rest of the job itself, printing the dead rank's number and signal.</para>
/// <para>Calls must come from one thread at a time (MPI_THREAD_SERIALIZED), as the trainer makes them.</para>
/// </remarks>
public sealed unsafe class MpiCommunicator : ICommunicator, IDisposable
{
    private const int NoteTag = 7411;
    private readonly int* notes;       // [0]: this rank's outgoing sequence number; [1 + r]: the note received from rank r
    private readonly int* requests;    // the note requests of the collective in flight
    private int requestCount;
    private int sequence;
    private bool disposed;

    private MpiCommunicator(int rank, int size, string host, TimeSpan timeout)
    {
        Rank = rank;
        Size = size;
        Host = host;
        Timeout = timeout;
        notes = (int*)NativeMemory.AllocZeroed((nuint)(size + 1), sizeof(int));
        requests = (int*)NativeMemory.AllocZeroed((nuint)(2 * size), sizeof(int));
    }

    /// <summary>
    /// Opens the MPI library, initialises MPI (once per process) and returns the communicator of all ranks.
    /// <paramref name="timeout"/> bounds how long a collective may wait for the slowest rank.
    /// </summary>
    public static MpiCommunicator Initialize(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The collective timeout must be positive.");
        MpiLibrary.Load();
        int initialized = 0, provided = 0, rank = 0, size = 0;
        MpiLibrary.Check(MpiLibrary.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0) MpiLibrary.Check(MpiLibrary.InitThread(null, null, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
        // Errors come back as codes (turned into DistributedException) instead of MPI aborting the job silently.
        MpiLibrary.Check(MpiLibrary.CommSetErrhandler(MpiLibrary.CommWorld, MpiLibrary.ErrorsReturn), "MPI_Comm_set_errhandler");
        MpiLibrary.Check(MpiLibrary.CommRank(MpiLibrary.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(MpiLibrary.CommSize(MpiLibrary.CommWorld, &size), "MPI_Comm_size");
        byte* name = stackalloc byte[256];
        int length = 0;
        string host = MpiLibrary.GetProcessorName(name, &length) == MpiLibrary.Success ? Marshal.PtrToStringUTF8((nint)name, length) : Environment.MachineName;
        return new MpiCommunicator(rank, size, host, timeout);
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>The machine this rank runs on (MPI_Get_processor_name).</summary>
    public string Host { get; }

    /// <summary>How long a collective may wait for the slowest rank before this rank gives up.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The MPI library that was opened.</summary>
    public static string? Library => MpiLibrary.LoadedFrom;

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> values, in Collective what)
    {
        fixed (float* data = values) Run(data, values.Length, MpiLibrary.Float, broadcast: false, what);
    }

    /// <inheritdoc/>
    public void AllreduceSum(Span<double> values, in Collective what)
    {
        fixed (double* data = values) Run(data, values.Length, MpiLibrary.Double, broadcast: false, what);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, in Collective what)
    {
        fixed (float* data = values) Run(data, values.Length, MpiLibrary.Float, broadcast: true, what);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<double> values, in Collective what)
    {
        fixed (double* data = values) Run(data, values.Length, MpiLibrary.Double, broadcast: true, what);
    }

    /// <summary>Starts the collective (in-place sum, or broadcast from rank 0) with its arrival notes and waits for it under the watchdog.</summary>
    private void Run(void* data, int count, int datatype, bool broadcast, in Collective what)
    {
        int request = MpiLibrary.RequestNull;
        PostNotes();
        if (broadcast) MpiLibrary.Check(MpiLibrary.Ibcast(data, count, datatype, 0, MpiLibrary.CommWorld, &request), "MPI_Ibcast");
        else MpiLibrary.Check(MpiLibrary.Iallreduce(MpiLibrary.InPlace, data, count, datatype, MpiLibrary.OpSum, MpiLibrary.CommWorld, &request), "MPI_Iallreduce");
        Await(&request, what);
    }

    /// <inheritdoc/>
    public void Abort(int exitCode) => MpiLibrary.Abort(MpiLibrary.CommWorld, exitCode);

    /// <summary>The arrival notes of the next collective: rank 0 ↔ every other rank.</summary>
    private void PostNotes()
    {
        sequence++;
        notes[0] = sequence;
        requestCount = 0;
        if (Size == 1) return;
        if (Rank == 0)
        {
            for (int r = 1; r < Size; r++)
            {
                MpiLibrary.Check(MpiLibrary.Irecv(notes + 1 + r, 1, MpiLibrary.Int, r, NoteTag, MpiLibrary.CommWorld, requests + requestCount++), "MPI_Irecv");
                MpiLibrary.Check(MpiLibrary.Isend(notes, 1, MpiLibrary.Int, r, NoteTag, MpiLibrary.CommWorld, requests + requestCount++), "MPI_Isend");
            }
        }
        else
        {
            MpiLibrary.Check(MpiLibrary.Irecv(notes + 1, 1, MpiLibrary.Int, 0, NoteTag, MpiLibrary.CommWorld, requests + requestCount++), "MPI_Irecv");
            MpiLibrary.Check(MpiLibrary.Isend(notes, 1, MpiLibrary.Int, 0, NoteTag, MpiLibrary.CommWorld, requests + requestCount++), "MPI_Isend");
        }
    }

    /// <summary>Polls the collective and the notes until all are done, or fails after the timeout naming who is missing.</summary>
    private void Await(int* request, in Collective what)
    {
        // Ranks other than 0 wait a little longer, so that rank 0, which knows whose note is missing, speaks first.
        long limit = Stopwatch.GetTimestamp() + (long)((Timeout.TotalSeconds + (Rank == 0 ? 0 : Math.Min(10, Timeout.TotalSeconds / 2))) * Stopwatch.Frequency);
        int done = 0;
        for (long spins = 0; ; spins++)
        {
            if (done == 0) MpiLibrary.Check(MpiLibrary.Test(request, &done, MpiLibrary.StatusIgnore), "MPI_Test");
            bool notesDone = NotesDone();
            if (done != 0 && notesDone) return;
            if ((spins & 255) == 255)
            {
                if (Stopwatch.GetTimestamp() > limit) throw TimedOut(what);
                Thread.Yield();
            }
        }
    }

    private bool NotesDone()
    {
        bool all = true;
        for (int i = 0; i < requestCount; i++)
        {
            if (requests[i] == MpiLibrary.RequestNull) continue;
            int flag = 0;
            MpiLibrary.Check(MpiLibrary.Test(requests + i, &flag, MpiLibrary.StatusIgnore), "MPI_Test");
            if (flag == 0) all = false;
        }
        return all;
    }

    private DistributedException TimedOut(in Collective what)
    {
        string seconds = $"{Timeout.TotalSeconds:0.#} s";
        if (Rank == 0)
        {
            // Rank 0's receive from rank r is request 2(r − 1); it is null once the note arrived.
            var missing = Enumerable.Range(1, Size - 1).Where(r => requests[2 * (r - 1)] != MpiLibrary.RequestNull).ToArray();
            string who = missing.Length switch
            {
                0 => $"every rank reached {what}, but it did not complete within {seconds} (a rank stopped or died inside it)",
                1 => $"rank {missing[0]} did not reach {what} within {seconds}",
                _ => $"ranks {string.Join(", ", missing)} did not reach {what} within {seconds}",
            };
            return new DistributedException($"rank 0 ({Host}): {who}. Stopping the job; --resume continues from the last checkpoint.");
        }
        bool rootArrived = requests[0] == MpiLibrary.RequestNull;
        return new DistributedException(rootArrived
            ? $"rank {Rank} ({Host}): {what} did not complete within {seconds}; rank 0 arrived, so another rank is missing. Stopping the job; --resume continues from the last checkpoint."
            : $"rank {Rank} ({Host}): rank 0 did not reach {what} within {seconds}. Stopping the job; --resume continues from the last checkpoint.");
    }

    /// <summary>Finalises MPI (every rank must call it at the end of a job that did not abort).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        int finalized = 0;
        if (MpiLibrary.Finalized(&finalized) == MpiLibrary.Success && finalized == 0) MpiLibrary.Finalize();
        NativeMemory.Free(notes);
        NativeMemory.Free(requests);
    }
}
