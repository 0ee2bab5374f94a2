namespace RecurrentSharp.Training.Distributed;

/// <summary>
/// Distributed training could not go on: MPI is missing or failed, a rank did not reach a collective within
/// the timeout, or the ranks' parameters no longer agree. The message names the rank and the step.
/// </summary>
public sealed class DistributedException : RecurrentSharpException
{
    /// <summary>Creates the exception with a message naming what failed, on which rank, at which step.</summary>
    public DistributedException(string message) : base(message) { }
}
