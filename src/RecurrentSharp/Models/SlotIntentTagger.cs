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
/// <param name="Head">The tag head: <c>softmax</c> (each word's tag on its own) or <c>crf</c> (a <see cref="LinearChainCrf"/> over the tag sequence).</param>
/// <param name="Characters">Character vocabulary size of the <see cref="CharacterCnn"/> word features (0: none, the word embedding alone).</param>
/// <param name="CharEmbeddingSize">Character vector size.</param>
/// <param name="CharFilters">Character features per word (concatenated with the word vector).</param>
/// <param name="CharWidth">Characters per convolution window.</param>
public sealed record SlotIntentTaggerConfig(int Vocabulary, int Tags, int Intents, int EmbeddingSize = 100, int HiddenSize = 128,
    string Cell = "lstm", int Layers = 1, bool Bidirectional = true, float Dropout = 0.3f,
    string Head = SlotIntentTagger.SoftmaxHead, int Characters = 0, int CharEmbeddingSize = 25, int CharFilters = 50, int CharWidth = 3);

/// <summary>One batch for a <see cref="SlotIntentTagger"/>: the word ids and, when the model reads characters, each word slot's characters.</summary>
/// <param name="Words">Word ids, (B, T) batch-first.</param>
/// <param name="Characters">Character ids of the B·T word slots (row b·T + t; a padding slot is one padding character), or null.</param>
public sealed record TaggerBatch(PaddedSequences Words, PaddedSequences? Characters)
{
    /// <summary>Pads sentences of word ids and, if given, the character ids of each of their words.</summary>
    public static TaggerBatch Create(IReadOnlyList<int[]> words, IReadOnlyList<int[][]>? characters = null)
    {
        var padded = PaddedSequences.FromSequences(words.Select(w => (IReadOnlyList<int>)w).ToArray());
        if (characters is null) return new TaggerBatch(padded, null);
        int steps = padded.Steps;
        var rows = new IReadOnlyList<int>[padded.Batch * steps];
        int[] paddingSlot = [0];
        for (int b = 0; b < padded.Batch; b++)
        {
            if (characters[b].Length != words[b].Length)
                throw new ArgumentException($"TaggerBatch: sentence {b} has {words[b].Length} words but {characters[b].Length} character sequences.");
            for (int t = 0; t < steps; t++)
                rows[b * steps + t] = t < words[b].Length ? characters[b][t] : paddingSlot;
        }
        return new TaggerBatch(padded, PaddedSequences.FromSequences(rows));
    }
}

/// <summary>
/// Joint slot filling and intent detection (Hakkani-Tür et al. 2016; Liu &amp; Lane 2016): words →
/// embedding → (bidirectional) recurrent encoder; the state of every word goes through a linear tag head
/// (many-to-many: one slot tag per word), and a summary of the whole sentence through a linear intent head
/// (many-to-one). Optionally each word vector is joined by character features (<see cref="CharacterCnn"/>), and the
/// tags are decoded jointly by a <see cref="LinearChainCrf"/> instead of one by one.
/// </summary>
/// <remarks>
/// <code>
/// x_t = [E[w_t] | charcnn(w_t)]                 word vector (and its character features, when configured)
/// y_t = [→h_t | ←h_t]                           encoder output at word t (both directions when bidirectional)
/// tag logits_t  = W_tag · dropout(y_t) + b_tag   one row per word
/// s = [→h_n | ←h_1]                              each direction's final state: the whole sentence read both ways
/// intent logits = W_int · dropout(s) + b_int
/// </code>
/// Training minimizes the sum of the tag loss (the per-word cross-entropy, or with the CRF head the sequence's
/// negative log-likelihood, both averaged over the real words) and the intent cross-entropy (averaged over sentences).
/// With the CRF head the tag logits are the CRF's emission scores and decoding is Viterbi.
/// </remarks>
public sealed class SlotIntentTagger : Module
{
    /// <summary>The head that tags each word on its own (argmax of its logits).</summary>
    public const string SoftmaxHead = "softmax";

    /// <summary>The head that decodes the whole tag sequence with a linear-chain CRF.</summary>
    public const string CrfHead = "crf";

    /// <summary>The tag heads, for option help and validation.</summary>
    public static readonly IReadOnlyList<string> HeadNames = [SoftmaxHead, CrfHead];

    private readonly Dropout dropout;

    /// <summary>Builds the model from its settings.</summary>
    public SlotIntentTagger(SlotIntentTaggerConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        if (!HeadNames.Contains(config.Head))
            throw new ArgumentException($"SlotIntentTagger: unknown tag head '{config.Head}' (expected {string.Join(" or ", HeadNames)}).");
        Config = config;
        Embedding = RegisterModule("embedding", new Embedding(config.Vocabulary, config.EmbeddingSize, paddingIndex: 0, random: random));
        int inputSize = config.EmbeddingSize;
        if (config.Characters > 0)
        {
            Characters = RegisterModule("char_cnn", new CharacterCnn(config.Characters, config.CharEmbeddingSize, config.CharFilters, config.CharWidth, random));
            inputSize += config.CharFilters;
        }
        Encoder = RecurrentEncoder.Create(config.Cell, inputSize, config.HiddenSize, config.Layers, config.Bidirectional, config.Dropout, random);
        if (Encoder is Module encoder) RegisterModule("encoder", encoder);
        dropout = RegisterModule("dropout", new Dropout(config.Dropout, random));
        TagHead = RegisterModule("tag_head", new Linear(Encoder.OutputSize, config.Tags, random: random));
        IntentHead = RegisterModule("intent_head", new Linear(Encoder.OutputSize, config.Intents, random: random));
        if (config.Head == CrfHead) Crf = RegisterModule("crf", new LinearChainCrf(config.Tags, random));
    }

    /// <summary>The settings.</summary>
    public SlotIntentTaggerConfig Config { get; }

    /// <summary>The word embedding.</summary>
    public Embedding Embedding { get; }

    /// <summary>The recurrent encoder (batch-first).</summary>
    public IRecurrentLayer Encoder { get; }

    /// <summary>The character features of each word, or null when the model reads words only.</summary>
    public CharacterCnn? Characters { get; }

    /// <summary>The CRF over the tag sequence (the <c>crf</c> head), or null for the softmax head.</summary>
    public LinearChainCrf? Crf { get; }

    /// <summary>Per-word tag layer (the CRF's emission scores with the <c>crf</c> head).</summary>
    public Linear TagHead { get; }

    /// <summary>Per-sentence intent layer.</summary>
    public Linear IntentHead { get; }

    /// <summary>
    /// Tag logits (B, T, Tags) — rows past a sentence's length are padding and must be masked by the caller —
    /// and intent logits (B, Intents) for a batch of sentences. With the CRF head the tag logits are its emission scores.
    /// </summary>
    public (Tensor TagLogits, Tensor IntentLogits) Forward(TaggerBatch batch)
    {
        var words = batch.Words;
        var embedded = Embedding.Forward(words.Ids, words.Batch, words.Steps);
        if (Characters is not null)
        {
            if (batch.Characters is null) throw new ArgumentException("SlotIntentTagger: this model reads characters; the batch has none.");
            var characters = Characters.Forward(batch.Characters).Reshape(words.Batch, words.Steps, Characters.Filters);
            embedded = Tensor.Concat([embedded, characters], 2);
        }
        var result = Encoder.Forward(dropout.Forward(embedded), null, null, words.Lengths);
        var tags = TagHead.Forward(dropout.Forward(result.Output));
        var sentence = RecurrentEncoder.LastState(Encoder, result, words.Lengths);
        var intents = IntentHead.Forward(dropout.Forward(sentence));
        return (tags, intents);
    }

    /// <summary>Word-id sentences only (a model without character features).</summary>
    public (Tensor TagLogits, Tensor IntentLogits) Forward(PaddedSequences words) => Forward(new TaggerBatch(words, null));

    /// <summary>
    /// The tags of each sentence from <paramref name="tagLogits"/>: the Viterbi path under <paramref name="constraints"/>
    /// with the CRF head, else each word's argmax over the usable tags.
    /// </summary>
    public int[][] DecodeTags(Tensor tagLogits, ReadOnlySpan<int> lengths, TagConstraints constraints)
    {
        if (Crf is not null) return Crf.Decode(tagLogits, lengths, constraints);
        int steps = tagLogits.Size(1), tags = tagLogits.Size(2);
        ReadOnlySpan<float> scores = tagLogits.Data;
        var result = new int[lengths.Length][];
        for (int b = 0; b < lengths.Length; b++)
        {
            result[b] = new int[lengths[b]];
            for (int t = 0; t < lengths[b]; t++)
                result[b][t] = BestUsable(scores.Slice((b * steps + t) * tags, tags), constraints.Usable);
        }
        return result;
    }

    /// <summary>Each sentence's intent: the argmax of its logits over the ids from <paramref name="firstIntent"/> on (the reserved ids are never predicted).</summary>
    public static int[] DecodeIntents(Tensor intentLogits, int firstIntent)
    {
        int intents = intentLogits.Size(1);
        var usable = Enumerable.Range(0, intents).Select(i => i >= firstIntent).ToArray();
        ReadOnlySpan<float> scores = intentLogits.Data;
        var result = new int[intentLogits.Size(0)];
        for (int b = 0; b < result.Length; b++) result[b] = BestUsable(scores.Slice(b * intents, intents), usable);
        return result;
    }

    private static int BestUsable(ReadOnlySpan<float> scores, IReadOnlyList<bool> usable)
    {
        int best = -1;
        for (int i = 0; i < scores.Length; i++)
            if (usable[i] && (best < 0 || scores[i] > scores[best])) best = i;
        return best;
    }
}
