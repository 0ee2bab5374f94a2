using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>The settings of a <see cref="CharLanguageModel"/>, stored with a saved model so it can be rebuilt.</summary>
/// <param name="Vocabulary">The number of token ids (characters plus the reserved ids).</param>
/// <param name="EmbeddingSize">Character vector size.</param>
/// <param name="HiddenSize">The recurrent hidden size.</param>
/// <param name="Cell">The fused cell name (lstm, gru, rnn, lstm-peephole, ...; see <see cref="CellSpec.Parse"/>).</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="Dropout">Dropout between stacked layers and before the output layer.</param>
public sealed record CharLanguageModelConfig(int Vocabulary, int EmbeddingSize = 64, int HiddenSize = 512, string Cell = "lstm", int Layers = 1, float Dropout = 0f);

/// <summary>
/// A character-level language model: x_t (a character id) → embedding e_t → recurrent layer h_t →
/// logits z_t = W·h_t + b over the next character, p(x_(t+1) = c | x_≤t) = softmax(z_t)_c.
/// The recurrent layer is stateful: each call continues from the (detached) final state of the previous
/// call, so a long text fed window by window is trained by truncated backpropagation through time.
/// Inputs and outputs are time-major, (T, B): column b of one call continues column b of the previous call.
/// </summary>
public sealed class CharLanguageModel : Module
{
    private readonly Dropout dropout;

    /// <summary>Builds the model from its settings.</summary>
    public CharLanguageModel(CharLanguageModelConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Config = config;
        Embedding = RegisterModule("embedding", new Embedding(config.Vocabulary, config.EmbeddingSize, random: random));
        Recurrent = RegisterModule("rnn", RecurrentLayer.Create(CellSpec.Parse(config.Cell), config.EmbeddingSize, config.HiddenSize,
            config.Layers, dropout: config.Dropout, random: random));
        Recurrent.Stateful = true;
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        Head = RegisterModule("head", new Linear(config.HiddenSize, config.Vocabulary, random: random));
    }

    /// <summary>The settings.</summary>
    public CharLanguageModelConfig Config { get; }

    /// <summary>The character embedding.</summary>
    public Embedding Embedding { get; }

    /// <summary>The stateful, time-major recurrent layer.</summary>
    public RecurrentLayer Recurrent { get; }

    /// <summary>The output layer (hidden → next-character logits).</summary>
    public Linear Head { get; }

    /// <summary>Forgets the carried state: the next call starts from h = c = 0 (a new text).</summary>
    public void ResetState() => Recurrent.ResetState();

    /// <summary>
    /// Next-character logits for <paramref name="ids"/> laid out time-major as (steps, batch): shape
    /// (steps·batch, vocabulary), row t·batch + b for step t of stream b. Continues from the carried state.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> ids, int steps, int batch)
    {
        var embedded = Embedding.Forward(ids, steps, batch);                 // (T, B, E)
        var output = Recurrent.Forward(embedded).Output;                     // (T, B, H)
        var flat = dropout.Forward(output.Reshape(steps * batch, Config.HiddenSize));
        return Head.Forward(flat);                                           // (T·B, V)
    }

    /// <summary>
    /// Samples <paramref name="length"/> ids after reading <paramref name="prime"/> (at least one id).
    /// At each step the next id c is drawn with probability p_c = e^(z_c / τ) / Σ_k e^(z_k / τ) (τ the
    /// <paramref name="temperature"/>: τ &lt; 1 sharpens the distribution, τ &gt; 1 flattens it), and fed back
    /// as the next input. Ids in <paramref name="forbidden"/> (reserved tokens) are never drawn.
    /// </summary>
    public int[] Sample(int[] prime, int length, double temperature, RandomGenerator random, IReadOnlyCollection<int>? forbidden = null)
    {
        if (prime.Length == 0) throw new ArgumentException("Sampling needs at least one id to start from.", nameof(prime));
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be > 0");
        using var evaluating = Evaluating();
        using var noGrad = new NoGradScope();
        ResetState();
        // Read the prime in one call; the logits of its last step give the first sampled id.
        var logits = Forward(prime, prime.Length, 1);
        var last = logits.ToArray().AsSpan((prime.Length - 1) * Config.Vocabulary, Config.Vocabulary).ToArray();
        var result = new int[length];
        var probabilities = new double[Config.Vocabulary];
        for (int i = 0; i < length; i++)
        {
            int next = Draw(last, temperature, random, probabilities, forbidden);
            result[i] = next;
            if (i + 1 < length) last = Forward([next], 1, 1).ToArray();
        }
        ResetState();
        return result;
    }

    /// <summary>One draw from softmax(z / τ), computed as e^((z_c − max z) / τ) for stability, by inverting the cumulative sum.</summary>
    private static int Draw(float[] logits, double temperature, RandomGenerator random, double[] probabilities, IReadOnlyCollection<int>? forbidden)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < logits.Length; c++)
            if (forbidden is null || !forbidden.Contains(c)) max = Math.Max(max, logits[c]);
        double total = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            probabilities[c] = forbidden is not null && forbidden.Contains(c) ? 0 : Math.Exp((logits[c] - max) / temperature);
            total += probabilities[c];
        }
        double u = random.NextDouble() * total;
        int lastAllowed = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            if (probabilities[c] == 0) continue;
            lastAllowed = c;
            u -= probabilities[c];
            if (u < 0) return c;
        }
        return lastAllowed;   // rounding left u just above 0
    }
}
