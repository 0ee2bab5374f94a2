using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Tests.Training.Distributed;

/// <summary>
/// Ranks as threads of this process, for testing what <see cref="DataParallel"/> sends without MPI: each
/// collective copies every rank's values into a shared slot, waits for all, and combines them in rank order.
/// </summary>
internal sealed class ThreadedRanks
{
    private readonly Barrier barrier;
    private readonly double[][] slots;

    public ThreadedRanks(int size)
    {
        Size = size;
        barrier = new Barrier(size);
        slots = new double[size][];
    }

    public int Size { get; }

    /// <summary>Runs <paramref name="work"/> once per rank, each on its own thread, and waits for all.</summary>
    public void Run(Action<ICommunicator> work)
    {
        var threads = Enumerable.Range(0, Size).Select(r => new Thread(() => work(new ThreadRank(this, r)))).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
    }

    private void Exchange(int rank, Span<double> values, bool broadcast)
    {
        slots[rank] = values.ToArray();
        barrier.SignalAndWait();
        if (broadcast) slots[0].CopyTo(values);
        else
        {
            values.Clear();
            for (int r = 0; r < Size; r++)
                for (int i = 0; i < values.Length; i++) values[i] += slots[r][i];
        }
        barrier.SignalAndWait();
    }

    private sealed class ThreadRank(ThreadedRanks ranks, int rank) : ICommunicator
    {
        public int Rank => rank;
        public int Size => ranks.Size;

        public void AllreduceSum(Span<float> values, in Collective what) => Floats(values, broadcast: false);
        public void AllreduceSum(Span<double> values, in Collective what) => ranks.Exchange(rank, values, broadcast: false);
        public void Broadcast(Span<float> values, in Collective what) => Floats(values, broadcast: true);
        public void Broadcast(Span<double> values, in Collective what) => ranks.Exchange(rank, values, broadcast: true);
        public void Abort(int exitCode) => throw new InvalidOperationException($"rank {rank} aborted with {exitCode}");

        private void Floats(Span<float> values, bool broadcast)
        {
            var wide = new double[values.Length];
            for (int i = 0; i < values.Length; i++) wide[i] = values[i];
            ranks.Exchange(rank, wide, broadcast);
            for (int i = 0; i < values.Length; i++) values[i] = (float)wide[i];
        }
    }
}
