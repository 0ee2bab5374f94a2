namespace RecurrentSharp.Training;

/// <summary>How a loss combines its per-element (or per-position) values, as PyTorch's <c>reduction</c>.</summary>
public enum Reduction
{
    /// <summary>No reduction: one loss per element or position (masked and ignored ones are 0).</summary>
    None,

    /// <summary>The mean over the counted elements (for weighted cross-entropy: divided by the sum of the targets' weights).</summary>
    Mean,

    /// <summary>The sum over the counted elements (e.g. summed over time steps).</summary>
    Sum,
}
