using RecurrentSharp.Data;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Tests.Training.Distributed;

/// <summary>How the ranks share a batch: disjoint contiguous parts that make up the batch, and the BPTT window of a share of the streams.</summary>
public class DataParallelShareTests
{
    /// <summary>A communicator of <c>size</c> ranks seen from <c>rank</c>; sharing needs no messages.</summary>
    private sealed class RankOf(int rank, int size) : ICommunicator
    {
        public int Rank => rank;
        public int Size => size;
        public void AllreduceSum(Span<float> values, in Collective what) => throw new NotSupportedException();
        public void AllreduceSum(Span<double> values, in Collective what) => throw new NotSupportedException();
        public void Broadcast(Span<float> values, in Collective what) => throw new NotSupportedException();
        public void Broadcast(Span<double> values, in Collective what) => throw new NotSupportedException();
        public void Abort(int exitCode) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 3)]
    [InlineData(64, 8)]
    [InlineData(7, 1)]
    public void The_shares_of_the_ranks_are_disjoint_differ_by_at_most_one_and_make_up_the_batch(int count, int size)
    {
        var batch = Enumerable.Range(100, count).ToArray();
        var shares = Enumerable.Range(0, size).Select(r => new DataParallel(new RankOf(r, size), bucketBytes: 64).Shard(batch)).ToArray();
        Assert.Equal(batch, shares.SelectMany(s => s));
        Assert.True(shares.Max(s => s.Length) - shares.Min(s => s.Length) <= 1);
    }

    [Fact]
    public void The_window_of_a_share_of_the_streams_is_those_columns_of_the_whole_window()
    {
        var stream = Enumerable.Range(0, 403).Select(i => i % 37).ToArray();
        var batches = new TruncatedBpttBatches(stream, 8, 10);
        for (int w = 0; w < batches.WindowCount; w++)
        {
            var whole = batches.Window(w);
            var part = batches.Window(w, 3, 4);
            Assert.Equal(4, part.BatchSize);
            for (int t = 0; t < whole.Length; t++)
                for (int b = 0; b < 4; b++)
                {
                    Assert.Equal(whole.Inputs[t * 8 + 3 + b], part.Inputs[t * 4 + b]);
                    Assert.Equal(whole.Targets[t * 8 + 3 + b], part.Targets[t * 4 + b]);
                }
        }
    }
}
