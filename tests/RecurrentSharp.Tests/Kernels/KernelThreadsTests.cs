using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tests.Kernels;

[Trait("Category", "Kernels")]
public class KernelThreadsTests
{
    private sealed class CountingJob(int parts) : ParallelJob
    {
        public readonly int[] Runs = new int[parts];
        public override void Execute(int part) => Interlocked.Increment(ref Runs[part]);
    }

    [Fact]
    public void Run_executes_every_part_exactly_once_across_many_jobs()
    {
        // Back-to-back jobs exercise the spinning hand-off; gaps longer than the spin exercise the sleeping one.
        for (int round = 0; round < 300; round++)
        {
            int parts = 1 + round % 13;
            var job = new CountingJob(parts);
            KernelThreads.Run(job, parts, 1 + round % 4);
            Assert.All(job.Runs, runs => Assert.Equal(1, runs));
            if (round % 50 == 0) Thread.Sleep(2);
        }
    }

    [Fact]
    public void A_worker_late_for_a_small_job_never_takes_a_part_of_the_larger_next_one()
    {
        // A few parts, then many, back to back: a worker still looking at the small job's exhausted claim while the
        // next job is being posted must not claim (and run twice, and count twice) a part of the larger one.
        for (int round = 0; round < 200_000; round++)
        {
            var job = round % 2 == 0 ? new CountingJob(2) : new CountingJob(9);
            KernelThreads.Run(job, job.Runs.Length, 2);
            for (int part = 0; part < job.Runs.Length; part++)
                Assert.True(job.Runs[part] == 1, $"round {round}: part {part} of {job.Runs.Length} ran {job.Runs[part]} times");
        }
    }

    [Fact]
    public void For_runs_nested_calls_inline_and_completes_both_levels()
    {
        var counts = new int[6 * 5];
        KernelThreads.For(6, i => KernelThreads.For(5, j => Interlocked.Increment(ref counts[i * 5 + j])));
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    [Fact]
    public void For_passes_an_exception_from_a_part_to_the_caller()
    {
        var error = Assert.ThrowsAny<Exception>(() => KernelThreads.For(8, i =>
        {
            if (i == 5) throw new InvalidOperationException("part 5 failed");
        }));
        var inner = error is AggregateException aggregate ? aggregate.InnerException : error;
        Assert.IsType<InvalidOperationException>(inner);
        // The pool is usable afterwards.
        var job = new CountingJob(4);
        KernelThreads.Run(job, 4, 2);
        Assert.All(job.Runs, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public void Count_rejects_values_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelThreads.Count = 0);
    }
}
