using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>Inverted dropout with probability <see cref="P"/>, active only in training mode.</summary>
public sealed class Dropout : Module, ILayer
{
    private readonly RandomGenerator random;

    /// <summary>Creates the layer; masks are drawn from <paramref name="random"/> (or the default generator).</summary>
    public Dropout(float p, RandomGenerator? random = null)
    {
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        P = p;
        this.random = random ?? RandomGenerator.Default;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>Applies dropout in training mode; the identity in evaluation mode.</summary>
    public Tensor Forward(Tensor input) => input.Dropout(P, Training, random);
}
