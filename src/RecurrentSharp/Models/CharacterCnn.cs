using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// A vector for each word from its characters (Ma &amp; Hovy 2016; dos Santos &amp; Zadrozny 2014): character
/// embeddings, a 1-D convolution over the characters, and a max over the positions, so that a word never
/// seen in training (a city, a flight number) still gets features from its spelling.
/// </summary>
/// <remarks>
/// <code>
/// c_p   = C[char_p]                                       character vector
/// z_p   = W · [c_{p-w/2} | … | c_{p+w/2}] + b            one window of w characters, zero vectors past both ends of the word
/// f     = tanh(max_{p &lt; length} z_p)                     (per filter; the gradient goes to the winning position)
/// </code>
/// The convolution is a <see cref="Linear"/> over the windows (im2col), so it shares the tested matrix product.
/// </remarks>
public sealed class CharacterCnn : Module
{
    /// <summary>An encoder over <paramref name="characters"/> character ids (0 is padding) with <paramref name="filters"/> output features.</summary>
    public CharacterCnn(int characters, int embeddingSize, int filters, int width, RandomGenerator? random = null)
    {
        if (width < 1 || width % 2 == 0) throw new ArgumentOutOfRangeException(nameof(width), width, "the window must be an odd number of characters");
        random ??= RandomGenerator.Default;
        Width = width;
        // Row 0 (padding) is never read: window slots past the word are zeroed after the look-up.
        Embedding = RegisterModule("embedding", new Embedding(characters, embeddingSize, random: random));
        Convolution = RegisterModule("conv", new Linear(width * embeddingSize, filters, random: random));
    }

    /// <summary>Characters per window.</summary>
    public int Width { get; }

    /// <summary>Output features per word.</summary>
    public int Filters => Convolution.OutFeatures;

    /// <summary>The character embedding.</summary>
    public Embedding Embedding { get; }

    /// <summary>The convolution as a linear map of one flattened window.</summary>
    public Linear Convolution { get; }

    /// <summary>(N, Filters) features of N words, given as character-id sequences (each at least one character).</summary>
    public Tensor Forward(PaddedSequences words)
    {
        int n = words.Batch, positions = words.Steps, half = Width / 2;
        var windows = new int[n * positions * Width];
        var pastEnds = new float[n * positions * Width];
        var outside = new float[n * positions];
        for (int r = 0; r < n; r++)
        {
            int length = words.Lengths[r];
            for (int p = 0; p < positions; p++)
            {
                if (p >= length) { outside[r * positions + p] = 1f; continue; }
                for (int k = 0; k < Width; k++)
                {
                    int source = p + k - half;
                    bool inside = source >= 0 && source < length;
                    windows[(r * positions + p) * Width + k] = inside ? words[r, source] : 0;
                    if (!inside) pastEnds[(r * positions + p) * Width + k] = 1f;
                }
            }
        }
        var x = Embedding.Forward(windows, n, positions, Width).MaskedFill(Tensor.Wrap(pastEnds, n, positions, Width, 1), 0f).Reshape(n, positions, Width * Embedding.Dimension);
        var z = Convolution.Forward(x).MaskedFill(Tensor.Wrap(outside, n, positions, 1), float.NegativeInfinity);
        return z.Max(1).Tanh();
    }
}
