using System.Diagnostics;

namespace RecurrentSharp.Kernels;

/// <summary>
/// A small pool of background threads for kernels that are too short for <c>Parallel.For</c>
/// (whose start-up costs microseconds, about the time of a whole per-time-step product in a
/// recurrent layer). The calling thread runs parts too; workers claim the remaining parts.
///
/// Waking: after a job, a worker spins for <see cref="SpinMicroseconds"/> watching for the next
/// one (recurrent layers post jobs back to back), then sleeps on its own semaphore. The poster
/// wakes only sleepers. The handshake is Dekker-style: the worker publishes "sleeping" and then
/// re-reads the job counter; the poster publishes the job and then reads "sleeping" (both with
/// full fences), so one of the two always sees the other.
///
/// Claiming: <c>claim</c> packs (job number, next part) into one long, so a late worker that woke
/// for an old job can never take a part of a newer one; a post first moves the claim to the new number with no
/// part left, and only then changes the job's fields (otherwise a late worker could read the old claim with the
/// new part count and take a part twice: found by the stress test in KernelThreadsTests).
///
/// One job at a time: a post while another is running (another thread, or a kernel called from
/// inside a part) runs inline on the caller instead of waiting.
/// </summary>
internal static class WorkerPool
{
    private const int SpinMicroseconds = 100;

    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;
    }

    private static readonly object growLock = new();
    private static Worker[] workers = [];
    private static int busy;

    private static long claim;          // (job << 32) | next part
    private static int job;             // job number, increases by one per post
    private static ParallelJob? current;
    private static int parts;
    private static int helpers;         // workers 0..helpers-1 may take part in the current job
    private static int remaining;       // parts not yet finished
    private static Exception? failure;

    [ThreadStatic] private static bool isWorker;

    /// <summary>Runs <paramref name="body"/> for parts 0..count-1 on the caller and up to threads-1 workers.</summary>
    public static void Run(ParallelJob body, int count, int threads)
    {
        threads = Math.Min(threads, count);
        if (threads <= 1 || isWorker || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body.Execute(i);
            return;
        }
        try
        {
            EnsureWorkers(threads - 1);
            int number = job + 1;
            // Close the previous job's claim before touching its fields: a worker still in Work for it may have read
            // its exhausted claim (job, parts) and, if it then read this job's larger part count, its CAS would succeed
            // on the unchanged claim and run (and count) a part of this job twice. With the claim already on the new
            // number (and no part left), that CAS fails. Full fence: the field writes below cannot move above it.
            Interlocked.Exchange(ref claim, ((long)number << 32) | int.MaxValue);
            current = body;
            parts = count;
            helpers = threads - 1;
            remaining = count;
            failure = null;
            Volatile.Write(ref claim, (long)number << 32);
            Interlocked.Exchange(ref job, number);           // publish (full fence)
            var pool = workers;
            for (int w = 0; w < threads - 1; w++)
                if (Interlocked.Exchange(ref pool[w].Sleeping, 0) == 1) pool[w].Wake.Release();

            Work(number);
            var spin = new SpinWait();
            while (Volatile.Read(ref remaining) > 0) spin.SpinOnce(sleep1Threshold: -1);
            current = null;
            if (failure is { } error) throw new AggregateException(error);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Claims and runs parts of job <paramref name="number"/> until none are left.</summary>
    private static void Work(int number)
    {
        while (true)
        {
            long seen = Volatile.Read(ref claim);
            if ((int)(seen >> 32) != number) return;
            int part = (int)seen;
            if (part >= parts) return;
            if (Interlocked.CompareExchange(ref claim, seen + 1, seen) != seen) continue;
            try
            {
                current!.Execute(part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                Interlocked.Decrement(ref remaining);
            }
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count) return;
        lock (growLock)
        {
            var grown = workers;
            if (grown.Length >= count) return;
            var next = new Worker[count];
            Array.Copy(grown, next, grown.Length);
            for (int w = grown.Length; w < count; w++)
            {
                var worker = next[w] = new Worker();
                int index = w;
                var thread = new Thread(() => Loop(index, worker)) { IsBackground = true, Name = $"RecurrentSharp kernel worker {index + 1}" };
                thread.Start();
            }
            workers = next;
        }
    }

    private static void Loop(int index, Worker self)
    {
        isWorker = true;
        int seen = Volatile.Read(ref job);
        while (true)
        {
            // Wait for a new job: spin first, then sleep.
            long spinUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
            int next;
            while ((next = Volatile.Read(ref job)) == seen)
            {
                if (Stopwatch.GetTimestamp() > spinUntil)
                {
                    Interlocked.Exchange(ref self.Sleeping, 1);
                    if ((next = Volatile.Read(ref job)) != seen)
                    {
                        // A job arrived meanwhile. If the poster already cleared our flag it also released the semaphore: consume it.
                        if (Interlocked.Exchange(ref self.Sleeping, 0) == 0) self.Wake.Wait();
                        break;
                    }
                    self.Wake.Wait();
                    spinUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
                }
                else Thread.SpinWait(20);
            }
            seen = next;
            if (index < Volatile.Read(ref helpers)) Work(next);
        }
    }
}
