namespace RecurrentSharp.Recurrent;

/// <summary>The activation of an Elman (simple) recurrent layer.</summary>
public enum Nonlinearity
{
    /// <summary>h = tanh(a), PyTorch's default.</summary>
    Tanh,

    /// <summary>h = max(0, a).</summary>
    Relu,

    /// <summary>h = a: a linear recurrence, for teaching (the textbook Elman example).</summary>
    Identity,
}
