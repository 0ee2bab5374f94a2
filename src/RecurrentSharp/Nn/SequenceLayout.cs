namespace RecurrentSharp.Nn;

/// <summary>How a batch of sequences is laid out in memory (PyTorch's <c>batch_first</c>).</summary>
public enum SequenceLayout
{
    /// <summary>(batch, time, ...): one sequence after another.</summary>
    BatchFirst,

    /// <summary>(time, batch, ...): all sequences' step 0, then all step 1, ... (PyTorch's default).</summary>
    TimeMajor,
}
