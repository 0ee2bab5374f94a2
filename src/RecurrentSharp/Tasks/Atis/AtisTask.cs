using System.Globalization;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tasks.Atis;

/// <summary>
/// ATIS slot filling and intent detection: words (and optionally their characters) → embedding → bidirectional
/// LSTM → a BIO slot tag per word (softmax or CRF head) and an intent per utterance (<see cref="SlotIntentTagger"/>). Trains on atis-2.train, selects the best
/// epoch on atis-2.dev and reports CoNLL chunk F1 (the conlleval figure) and intent accuracy there: the
/// ATIS test split is not in the data folder.
/// </summary>
public sealed class AtisTask : ApplicationTask
{
    private const string TrainFile = "atis/atis-2.train.w-intent.iob";
    private const string DevFile = "atis/atis-2.dev.w-intent.iob";
    private static readonly TrainingDefaults Defaults = new(Epochs: 20, BatchSize: 32, LearningRate: 2e-3, Patience: 5);

    /// <summary>The chance that a word seen only once in training is read as &lt;unk&gt; in a training batch,
    /// so that the &lt;unk&gt; vector learns to stand for the unseen words of new sentences.</summary>
    private const float SingletonUnknownRate = 0.5f;

    /// <summary>The tag head when --head is not given: the CRF, chosen by atis-2.dev chunk F1 (mean of seeds 1-3, README).</summary>
    private const string DefaultHead = SlotIntentTagger.CrfHead;

    /// <summary>Whether the words' character features are used when --char-features is not given (chosen on atis-2.dev likewise).</summary>
    private const bool DefaultCharFeatures = true;

    /// <inheritdoc/>
    public override string Name => "atis";

    /// <inheritdoc/>
    public override string Summary => "ATIS slot filling + intent: word embedding + character CNN, BiLSTM, CRF tags every word (BIO) and the utterance's intent (train atis-2.train, select on atis-2.dev; target chunk F1 >= 94.5)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var train = Read(TaskData.Resolve(options, context, TrainFile), options, context).ToArray();
        var dev = Read(TaskData.Resolve(options, context, DevFile), options, context).ToArray();
        if (options.Limit is { } limit)
        {
            train = train.Take(limit).ToArray();
            dev = dev.Take(Math.Max(1, limit / 4)).ToArray();
        }

        // Tags and intents in ordinal order, so the ids depend on the training data only.
        var words = Vocabulary.Build(train.Select(u => u.Words), minCount: 1);
        var tags = Vocabulary.FromTokens(train.SelectMany(u => u.Tags).Distinct().Order(StringComparer.Ordinal));
        var intents = Vocabulary.FromTokens(train.Select(u => u.Intent).Distinct().Order(StringComparer.Ordinal));
        string head = options.Get("head") ?? DefaultHead;
        if (!SlotIntentTagger.HeadNames.Contains(head))
            throw new TaskUsageException($"--head must be {string.Join(" or ", SlotIntentTagger.HeadNames)}, got '{head}'.");
        bool charFeatures = GetBool(options, "char-features", DefaultCharFeatures);
        var characters = charFeatures ? CharacterVocabulary.Build(string.Concat(train.SelectMany(u => u.Words))) : null;
        var vocabularies = new AtisVocabularies(words, tags, intents, characters);
        var config = new SlotIntentTaggerConfig(words.Count, tags.Count, intents.Count, EmbeddingSize: 100, HiddenSize: options.Hidden ?? 128,
            Cell: options.Cell ?? "lstm", Layers: options.Layers ?? 1, Bidirectional: options.Bidirectional ?? true, Dropout: options.Dropout ?? 0.3f,
            Head: head, Characters: characters?.Count ?? 0);
        var random = new RandomGenerator(options.Seed);
        var model = new SlotIntentTagger(config, random);
        context.Log($"atis: {train.Length} training and {dev.Length} dev utterances; {words.Count} words, {tags.Count - tags.SpecialCount} tags, {intents.Count - intents.SpecialCount} intents; {head} head, " +
            (characters is null ? "no character features" : $"character features over {characters.Count} characters"));

        var history = Fit(model, vocabularies, train, dev, options, random, context);
        var result = Report(Score(model, vocabularies, dev), Path.GetFileName(DevFile));
        result.Histories[config.Cell] = history;
        result.Figures["train_examples"] = train.Length;
        result.Figures["best_epoch"] = history.BestEpoch;
        result.Figures["stopped"] = history.StopReason.ToString();

        string path = options.OutputPath ?? $"{Name}.safetensors";
        var metadata = new Dictionary<string, string>
        {
            ["words"] = words.ToJson(),
            ["tags"] = tags.ToJson(),
            ["intents"] = intents.ToJson(),
        };
        if (characters is not null) metadata["characters"] = characters.ToJson();
        if (context.WritesFiles) SavedModel.Save(path, Name, model, config, metadata);
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, vocabularies) = Load(saved);
        string path = TaskData.ResolveFileOrDefault(options, context, DevFile);
        var utterances = Read(path, options, context).ToArray();
        var score = Score(model, vocabularies, utterances);
        var result = Report(score, Path.GetFileName(path));
        // Decoding speed: the whole tagger (batches of 128, one thread unless --threads says otherwise) and the share of tag decoding in it.
        result.Figures["sentences_per_second"] = score.Utterances / score.Timing.Total.TotalSeconds;
        result.Figures["tag_decoding_share"] = score.Timing.Decoding / score.Timing.Total;
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"speed: {score.Utterances / score.Timing.Total.TotalSeconds:F0} sentences/s ({model.Config.Head} head); tag decoding {100 * (score.Timing.Decoding / score.Timing.Total):F1}% of the time"));
        return result;
    }

    /// <summary>
    /// Tags each input sentence (words split on white space, lower-cased; BOS/EOS markers are dropped):
    /// <c>intent&lt;TAB&gt;word/tag word/tag …</c>.
    /// </summary>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, vocabularies) = Load(saved);
        foreach (var text in inputs)
        {
            string[] words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w is not ("bos" or "eos")).ToArray();
            if (words.Length == 0)
            {
                yield return "";
                continue;
            }
            var (tags, intent) = Tag(model, vocabularies, [words]).Results[0];
            yield return $"{intent}\t{string.Join(' ', words.Zip(tags, (w, t) => $"{w}/{t}"))}";
        }
    }

    private static bool GetBool(TaskOptions options, string name, bool fallback) => options.Get(name) switch
    {
        null => fallback,
        "true" => true,
        "false" => false,
        var text => throw new TaskUsageException($"--{name} must be true or false, got '{text}'."),
    };

    private static IReadOnlyList<AtisUtterance> Read(string path, TaskOptions options, TaskContext context) =>
        TaskData.Records(AtisReader.Read(path, options.Strict), context);

    /// <summary>Trains with the joint loss, keeping the epoch with the best dev chunk F1.</summary>
    private TrainingHistory Fit(SlotIntentTagger model, AtisVocabularies vocabularies, AtisUtterance[] train, AtisUtterance[] dev,
        TaskOptions options, RandomGenerator random, TaskContext context)
    {
        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var wordIds = train.Select(u => vocabularies.Words.Encode(u.Words)).ToArray();
        var characterIds = vocabularies.Characters is null ? null : train.Select(u => vocabularies.EncodeCharacters(u.Words)).ToArray();
        var tagIds = train.Select(u => vocabularies.Tags.Encode(u.Tags)).ToArray();
        var intentIds = train.Select(u => vocabularies.Intents.IdOf(u.Intent)).ToArray();
        var singletons = train.SelectMany(u => u.Words).GroupBy(w => w, StringComparer.Ordinal).Where(g => g.Count() == 1)
            .Select(g => vocabularies.Words.IdOf(g.Key)).ToHashSet();

        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            // A singleton word is read as <unk> at random; its characters stay, so they learn to stand in for it.
            var input = TaggerBatch.Create(batch.Select(i => wordIds[i]
                .Select(id => singletons.Contains(id) && random.NextFloat() < SingletonUnknownRate ? Vocabulary.UnknownId : id).ToArray()).ToArray(),
                characterIds is null ? null : batch.Select(i => characterIds[i]).ToArray());
            var (tagLogits, intentLogits) = model.Forward(input);
            // Tag targets laid out like the logits' (B, T) positions. Both tag losses are averaged over the real
            // words of the batch: the mean of -log p(tag) (softmax), or Σ_sentences -log p(tag sequence) / words (CRF).
            var lengths = input.Words.Lengths;
            var tagTargets = PaddedSequences.FromSequences(batch.Select(i => (IReadOnlyList<int>)tagIds[i]).ToArray()).Ids;
            var tagLoss = model.Crf is { } crf
                ? crf.NegativeLogLikelihood(tagLogits, lengths, tagTargets).Sum() * (1f / lengths.Sum())
                : Losses.CrossEntropy(tagLogits, tagTargets, mask: SequenceMask.FromLengths(lengths, input.Words.Steps, SequenceLayout.BatchFirst));
            var intentLoss = Losses.CrossEntropy(intentLogits, batch.Select(i => intentIds[i]).ToArray());
            return new(tagLoss + intentLoss, batch.Length);
        }, monitor: new MetricMonitor("chunk_f1", Maximize: true, Defaults.Patience));
        var trainLengths = train.Select(u => u.Words.Length).ToArray();
        return trainer.Fit(
            r => BatchOrder.Bucketed(trainLengths, batchSize, bucketBatches: 20, r),
            () =>
            {
                var score = Score(model, vocabularies, dev);
                return new Dictionary<string, double> { ["chunk_f1"] = score.Chunks.F1, ["intent_accuracy"] = score.IntentAccuracy };
            },
            context.ProgressFor(Name), context.Cancellation);
    }

    /// <summary>
    /// The predicted tags and intent of each sentence (the model in evaluation mode, without the tape), and the
    /// time spent in all and in tag decoding (argmax, or Viterbi with the CRF head).
    /// </summary>
    private static (List<(string[] Tags, string Intent)> Results, TaggingTime Timing) Tag(SlotIntentTagger model, AtisVocabularies vocabularies, IReadOnlyList<string[]> sentences)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var results = new List<(string[], string)>(sentences.Count);
        var total = System.Diagnostics.Stopwatch.StartNew();
        var decoding = new System.Diagnostics.Stopwatch();
        foreach (var batch in BatchOrder.Sequential(sentences.Count, 128))
        {
            var input = TaggerBatch.Create(batch.Select(i => vocabularies.Words.Encode(sentences[i])).ToArray(),
                vocabularies.Characters is null ? null : batch.Select(i => vocabularies.EncodeCharacters(sentences[i])).ToArray());
            var (tagLogits, intentLogits) = model.Forward(input);
            decoding.Start();
            var tags = model.DecodeTags(tagLogits, input.Words.Lengths, vocabularies.TagConstraints);
            decoding.Stop();
            var intents = SlotIntentTagger.DecodeIntents(intentLogits, vocabularies.Intents.SpecialCount);
            for (int b = 0; b < batch.Length; b++)
                results.Add((tags[b].Select(vocabularies.Tags.TokenOf).ToArray(), vocabularies.Intents.TokenOf(intents[b])));
        }
        return (results, new TaggingTime(total.Elapsed, decoding.Elapsed));
    }

    /// <summary>Chunk scores (conlleval) and intent accuracy of the model on labelled utterances.</summary>
    private static AtisScore Score(SlotIntentTagger model, AtisVocabularies vocabularies, IReadOnlyList<AtisUtterance> utterances)
    {
        var (predictions, timing) = Tag(model, vocabularies, utterances.Select(u => u.Words).ToArray());
        var chunks = ChunkF1.Evaluate(utterances.Select((u, i) => ((IReadOnlyList<string>)u.Tags, (IReadOnlyList<string>)predictions[i].Tags)));
        int words = utterances.Sum(u => u.Words.Length);
        int rightTags = utterances.Select((u, i) => u.Tags.Zip(predictions[i].Tags).Count(p => p.First == p.Second)).Sum();
        int rightIntents = utterances.Where((u, i) => u.Intent == predictions[i].Intent).Count();
        return new AtisScore(chunks, (double)rightIntents / utterances.Count, (double)rightTags / words, utterances.Count, timing);
    }

    private TaskResult Report(AtisScore score, string evaluatedOn)
    {
        var result = new TaskResult(Name, "chunk_f1", score.Chunks.F1);
        result.Figures["intent_accuracy"] = score.IntentAccuracy;
        result.Figures["chunk_precision"] = score.Chunks.Precision;
        result.Figures["chunk_recall"] = score.Chunks.Recall;
        result.Figures["tag_accuracy"] = score.TagAccuracy;
        result.Figures["test_examples"] = score.Utterances;
        result.Figures["evaluated_on"] = evaluatedOn;
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{evaluatedOn}: {score.Utterances} utterances; chunks: precision {score.Chunks.Precision:F2}, recall {score.Chunks.Recall:F2}, F1 {score.Chunks.F1:F2} " +
            $"({score.Chunks.Correct} of {score.Chunks.Gold} gold chunks found, {score.Chunks.Predicted} predicted); intent accuracy {score.IntentAccuracy:F4}; tag accuracy {score.TagAccuracy:F4}"));
        return result;
    }

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (SlotIntentTagger Model, AtisVocabularies Vocabularies) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var config = saved.Config<SlotIntentTaggerConfig>();
        var model = new SlotIntentTagger(config);
        saved.LoadInto(model);
        model.Eval();
        return (model, new AtisVocabularies(
            Vocabulary.FromJson(saved.Require("words"), saved.Path),
            Vocabulary.FromJson(saved.Require("tags"), saved.Path),
            Vocabulary.FromJson(saved.Require("intents"), saved.Path),
            config.Characters > 0 ? CharacterVocabulary.FromJson(saved.Require("characters"), saved.Path) : null));
    }

    private sealed record AtisVocabularies(Vocabulary Words, Vocabulary Tags, Vocabulary Intents, CharacterVocabulary? Characters)
    {
        /// <summary>BIO decoding constraints over the tag names (the reserved &lt;pad&gt; and &lt;unk&gt; are never predicted).</summary>
        public TagConstraints TagConstraints { get; } = Models.TagConstraints.Bio(
            Tags.Tokens.Select((name, id) => Tags.IsSpecial(id) ? null : name).ToArray());

        public int[][] EncodeCharacters(string[] words) => words.Select(w => Characters!.Encode(w)).ToArray();
    }

    private sealed record TaggingTime(TimeSpan Total, TimeSpan Decoding);

    private sealed record AtisScore(ChunkScore Chunks, double IntentAccuracy, double TagAccuracy, int Utterances, TaggingTime Timing);
}
