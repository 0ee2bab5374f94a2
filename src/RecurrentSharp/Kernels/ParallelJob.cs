namespace RecurrentSharp.Kernels;

/// <summary>
/// A piece of work split into numbered parts that <see cref="KernelThreads"/> may run on several
/// threads at once. Kernels keep one instance per calling thread and refill its fields before each
/// run, so starting a parallel kernel allocates nothing.
/// </summary>
internal abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/>; parts must not depend on each other's order.</summary>
    public abstract void Execute(int part);
}

/// <summary>Adapts an <see cref="Action{T}"/> for the public <see cref="KernelThreads.For"/>.</summary>
internal sealed class DelegateJob(Action<int> body) : ParallelJob
{
    public override void Execute(int part) => body(part);
}
