using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>The settings of a <see cref="SlotIntentTagger"/>, stored with a saved model so it can be rebuilt.</summary>
/// <param name="Vocabulary">Word vocabulary size (id 0 is padding).</param>
/// <param name="Tags">The number of slot tags (the per-word output classes).</param>
/// <param name="Intents">The number of intents (the per-sentence output classes).</param>
/// <param name="EmbeddingSize">Word vector size.</param>
/// <param name="HiddenSize">Recurrent hidden size (per direction).</param>
/// <param name="Cell">The cell name (see <see cref="RecurrentEncoder.CellNames"/>).</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="Bidirectional">Read the sentence both ways (each word's state then sees its left and right context).</param>
/// <param name="Dropout">Dropout on the word vectors, between layers and before both heads.</param>
public sealed record SlotIntentTaggerConfig(int Vocabulary, int Tags, int Intents, int EmbeddingSize = 100, int HiddenSize = 128,
    string Cell = "lstm", int Layers = 1, bool Bidirectional = true, float Dropout = 0.3f);

/// <summary>
/// Joint slot filling and intent detection (Hakkani-Tür et al. 2016; Liu &amp; Lane 2016): words →
/// embedding → (bidirectional) recurrent encoder; the state of every word goes through a linear tag head
/// (many-to-many: one slot tag per word), and a summary of the whole sentence through a linear intent head
/// (many-to-one).
/// </summary>
/// <remarks>
/// <code>
/// x_t = E[w_t]                                  word vector
/// y_t = [→h_t | ←h_t]                           encoder output at word t (both directions when bidirectional)
/// tag logits_t  = W_tag · dropout(y_t) + b_tag   one row per word
/// s = [→h_n | ←h_1]                              each direction's final state: the whole sentence read both ways
/// intent logits = W_int · dropout(s) + b_int
/// </code>
/// Training minimizes the sum of the two cross-entropies (tags averaged over the real words, intents over sentences).
/// </remarks>
public sealed class SlotIntentTagger : Module
{
    private readonly Dropout dropout;

    /// <summary>Builds the model from its settings.</summary>
    public SlotIntentTagger(SlotIntentTaggerConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        Config = config;
        Embedding = RegisterModule("embedding", new Embedding(config.Vocabulary, config.EmbeddingSize, paddingIndex: 0, random: random));
        Encoder = RecurrentEncoder.Create(config.Cell, config.EmbeddingSize, config.HiddenSize, config.Layers, config.Bidirectional, config.Dropout, random);
        if (Encoder is Module encoder) RegisterModule("encoder", encoder);
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        TagHead = RegisterModule("tag_head", new Linear(Encoder.OutputSize, config.Tags, random: random));
        IntentHead = RegisterModule("intent_head", new Linear(Encoder.OutputSize, config.Intents, random: random));
    }

    /// <summary>The settings.</summary>
    public SlotIntentTaggerConfig Config { get; }

    /// <summary>The word embedding.</summary>
    public Embedding Embedding { get; }

    /// <summary>The recurrent encoder (batch-first).</summary>
    public IRecurrentLayer Encoder { get; }

    /// <summary>Per-word tag layer.</summary>
    public Linear TagHead { get; }

    /// <summary>Per-sentence intent layer.</summary>
    public Linear IntentHead { get; }

    /// <summary>
    /// Tag logits (B, T, Tags) — rows past a sentence's length are padding and must be masked by the caller —
    /// and intent logits (B, Intents) for a batch of word-id sentences.
    /// </summary>
    public (Tensor TagLogits, Tensor IntentLogits) Forward(PaddedSequences words)
    {
        var embedded = dropout.Forward(Embedding.Forward(words.Ids, words.Batch, words.Steps));
        var result = Encoder.Forward(embedded, null, null, words.Lengths);
        var tags = TagHead.Forward(dropout.Forward(result.Output));
        var sentence = RecurrentEncoder.LastState(Encoder, result, words.Lengths);
        var intents = IntentHead.Forward(dropout.Forward(sentence));
        return (tags, intents);
    }
}
