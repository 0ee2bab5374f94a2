namespace RecurrentSharp.Training.Distributed;

/// <summary>Which collective of the run a call is, for the message when it fails: a name, the optimizer step, and a part of it (a gradient bucket).</summary>
/// <param name="Name">What is exchanged ("the gradient allreduce", "the parameter broadcast").</param>
/// <param name="Step">The optimizer step it belongs to (the steps already taken before it).</param>
/// <param name="Part">The part (1-based), or 0 when the collective has no parts.</param>
/// <param name="Parts">How many parts there are.</param>
public readonly record struct Collective(string Name, long Step, int Part = 0, int Parts = 0)
{
    /// <inheritdoc/>
    public override string ToString() => Part > 0 ? $"{Name} of step {Step + 1} (bucket {Part} of {Parts})" : $"{Name} of step {Step + 1}";
}

/// <summary>
/// The collectives synchronous data parallelism needs, over the ranks of one job. Every rank calls the same
/// collectives in the same order; each call returns when all ranks have contributed, or throws
/// <see cref="DistributedException"/> naming the rank that did not arrive in time.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1; rank 0 prints and writes files.</summary>
    int Rank { get; }

    /// <summary>The number of ranks in the job.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over the ranks.</summary>
    void AllreduceSum(Span<float> values, in Collective what);

    /// <summary>Replaces <paramref name="values"/> on every rank with the element-wise sum over the ranks.</summary>
    void AllreduceSum(Span<double> values, in Collective what);

    /// <summary>Copies rank 0's <paramref name="values"/> to every rank.</summary>
    void Broadcast(Span<float> values, in Collective what);

    /// <summary>Copies rank 0's <paramref name="values"/> to every rank.</summary>
    void Broadcast(Span<double> values, in Collective what);

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (after this rank has printed why).</summary>
    void Abort(int exitCode);
}
