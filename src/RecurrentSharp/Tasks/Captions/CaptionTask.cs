using System.Globalization;
using RecurrentSharp.Data;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Models;
using RecurrentSharp.Models.Vision;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Captions;

/// <summary>The settings of a captioning model, stored with it so that it can be rebuilt.</summary>
/// <param name="Vocabulary">Words, with &lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt; and &lt;eos&gt;.</param>
/// <param name="EmbeddingSize">Word vector size.</param>
/// <param name="HiddenSize">Decoder hidden size.</param>
/// <param name="FeatureSize">CNN feature size (512 for ResNet-18).</param>
/// <param name="Cell">The decoder cell (lstm or rnn).</param>
/// <param name="Dropout">Dropout on the word vectors and the states.</param>
/// <param name="FeatureScale">The image features are multiplied by this before V (1 / the mean feature of the training images).</param>
/// <param name="CnnModel">The feature model's identity (<see cref="ImageFeatureCache.ModelId"/>).</param>
/// <param name="AttentionSize">0: the seed's decoder (V·X into the first step, <see cref="CaptionDecoder"/>); above 0: soft attention
/// over the grid of regions with an additive score of this width (<see cref="AttentionCaptionDecoder"/>).</param>
/// <param name="ContextToOutput">With attention: the context also joins the output layer.</param>
/// <param name="Regions">With attention: the regions of the grid (49 for ResNet-18).</param>
public sealed record CaptionTaskConfig(int Vocabulary, int EmbeddingSize, int HiddenSize, int FeatureSize, string Cell, float Dropout, float FeatureScale, string CnnModel,
    int AttentionSize = 0, bool ContextToOutput = false, int Regions = 0)
{
    /// <summary>Whether the model attends over the grid (else it reads the pooled vector).</summary>
    public bool Attends => AttentionSize > 0;
}

/// <summary>
/// Image captioning on Flickr8k ("看图说话"): ResNet-18 (ImageNet, from the ML.NET package's ONNX file, run by our
/// own <see cref="FrozenConvNet"/>) turns each image into 512 features X, cached; a <see cref="CaptionDecoder"/> (LSTM)
/// takes V·X into its first step and writes the caption word by word. With --attention the decoder is an
/// <see cref="AttentionCaptionDecoder"/> over the 7·7 × 512 grid of the last block ("show, attend and tell"). Trained on the 6,000 training images × 5
/// captions with teacher forcing, the epoch chosen by greedy BLEU-4 on the 1,000 dev images; reported on the 1,000
/// test images: corpus BLEU-1..4 against all five references, greedy and beam search.
/// </summary>
public sealed class CaptionTask : ApplicationTask
{
    private const string Folder = "flickr8k";
    private const int EmbeddingSize = 256;
    private const int MaxTrainWords = 30;     // longer training captions are cut (a handful of 40,000)
    private const int MaxCaptionWords = 30;   // decoding stops here
    private const int DefaultBeam = 3;
    private const int GallerySize = 12;       // images in the report's gallery
    private static readonly TrainingDefaults Defaults = new(Epochs: 15, BatchSize: 64, LearningRate: 2e-3, Patience: 3);

    /// <inheritdoc/>
    public override string Name => "captions";

    /// <inheritdoc/>
    public override string Summary => "Flickr8k image captioning: ResNet-18 features (cached) into an LSTM decoder's first step; BLEU-1..4 greedy and beam on the test images";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var data = Flickr8k.Read(options, context);
        var random = new RandomGenerator(options.Seed);
        int[] train = data.Train, dev = data.Dev, test = data.Test;
        if (options.Limit is { } limit)
        {
            train = train.Take(limit).ToArray();
            dev = dev.Take(Math.Max(1, limit / 4)).ToArray();
            test = test.Take(Math.Max(1, limit / 4)).ToArray();
        }
        // Without --limit every image with captions is featurized (so the cache holds all of them); with it, only those used.
        // Test images first, then a quarter of dev, the training images, the rest: a run cancelled midway has kept the most useful part.
        int[] featurized = [.. test, .. dev.Take(dev.Length / 4), .. train, .. dev.Skip(dev.Length / 4)];
        if (options.Limit is null) featurized = [.. featurized, .. Enumerable.Range(0, data.Images.Count).Except(featurized)];
        var (featurizer, modelId) = LoadCnn();
        bool attends = Attends(options);
        var features = Features(data, featurized, featurizer, modelId, options, context, attends);
        train = train.Where(i => features[i] is not null).ToArray();
        dev = dev.Where(i => features[i] is not null).ToArray();
        test = test.Where(i => features[i] is not null).ToArray();

        int minCount = options.GetPositive("min-count", options.Limit is null ? 5 : 1);
        var vocabulary = Vocabulary.Build(train.SelectMany(i => data.Captions[i]), minCount, withBeginEnd: true);
        float scale = 1f / (float)train.Average(i => features[i]!.Average());
        string cell = options.Cell ?? "lstm";
        if (attends && cell != "lstm") throw new TaskUsageException($"--attention runs an LSTM decoder, not --cell {cell}.");
        int hidden = options.Hidden ?? 256;
        var (regions, channels) = featurizer.GridShape;
        var config = new CaptionTaskConfig(vocabulary.Count, EmbeddingSize, hidden, attends ? channels : featurizer.PooledSize, cell, options.Dropout ?? 0.3f, scale, modelId,
            AttentionSize: attends ? hidden : 0, ContextToOutput: attends, Regions: attends ? regions : 0);
        var model = Build(config, random);
        var examples = train.SelectMany(i => data.Captions[i].Select(words => (Image: i, Ids: vocabulary.Encode(words.Take(MaxTrainWords), addBegin: true, addEnd: true)))).ToArray();
        context.Log($"captions: {train.Length} training images ({examples.Length} captions), {dev.Length} dev, {test.Length} test; vocabulary {vocabulary.Count} words (seen {minCount}+ times); " +
            $"{cell} decoder, hidden {config.HiddenSize}, embedding {EmbeddingSize}" + (attends ? $", additive attention over {regions} regions of {channels} features" : ""));

        var history = Fit(model, config, features, examples, dev, data, vocabulary, options, random, context);
        var result = Report(model, config, features, test, data, vocabulary, Decoding(options), context);
        result.Histories[attends ? "attention" : cell] = history;
        result.Figures["train_images"] = train.Length;
        result.Figures["train_captions"] = examples.Length;
        result.Figures["vocabulary"] = vocabulary.Count;
        result.Figures["best_epoch"] = history.BestEpoch;
        result.Figures["stopped"] = history.StopReason.ToString();
        result.Figures["training_seconds"] = history.Epochs.Sum(e => e.Seconds);

        string path = options.OutputPath ?? $"{Name}.safetensors";
        SavedModel.Save(path, Name, model, config, new Dictionary<string, string>
        {
            ["vocabulary"] = vocabulary.ToJson(),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["limit"] = options.Limit?.ToString(CultureInfo.InvariantCulture) ?? "",
        });
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, config, vocabulary) = Load(saved);
        var data = Flickr8k.Read(options, context);
        string split = options.Get("split") ?? "test";
        int[] images = split switch
        {
            "test" => data.Test,
            "dev" => data.Dev,
            _ => throw new TaskUsageException($"--split must be test or dev, not '{split}'."),
        };
        if (saved.RequireOptionalInt("limit") is { } limit) images = images.Take(Math.Max(1, limit / 4)).ToArray();
        var (featurizer, modelId) = LoadCnn();
        if (modelId != config.CnnModel) throw new TaskUsageException($"{saved.Path} was trained on the features of CNN {config.CnnModel}, but the ResNet-18 found is {modelId}.");
        var features = Features(data, images, featurizer, modelId, options, context, config.Attends);
        var result = Report(model, config, features, images.Where(i => features[i] is not null).ToArray(), data, vocabulary, Decoding(options), context, split);
        result.Figures["split"] = split;
        return result;
    }

    /// <summary>One line per image file: the file, a TAB, and the caption (beam search of width 3).</summary>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, config, vocabulary) = Load(saved);
        var (featurizer, modelId) = LoadCnn();
        if (modelId != config.CnnModel) throw new TaskUsageException($"{saved.Path} was trained on the features of CNN {config.CnnModel}, but the ResNet-18 found is {modelId}.");
        foreach (var path in inputs)
        {
            if (!File.Exists(path)) throw new TaskUsageException($"Image file {path} does not exist.");
            var computed = featurizer.Featurize(ImageDecoder.Decode(path), withGrid: config.Attends);
            var features = config.Attends ? computed.Grid! : computed.Pooled;
            var words = model.BeamSearch(FeatureRows(config, [features]), vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords, DefaultBeam);
            yield return $"{path}\t{string.Join(' ', vocabulary.Decode(words))}";
        }
    }

    /// <inheritdoc/>
    public override Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (ImageCaptioner Model, CaptionTaskConfig Config, Vocabulary Vocabulary) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var config = saved.Config<CaptionTaskConfig>();
        var vocabulary = Vocabulary.FromJson(saved.Require("vocabulary"), saved.Path);
        var model = Build(config);
        saved.LoadInto(model);
        model.Eval();
        return (model, config, vocabulary);
    }

    private static ImageCaptioner Build(CaptionTaskConfig config, RandomGenerator? random = null) => config.Attends
        ? new AttentionCaptionDecoder(config.Vocabulary, config.EmbeddingSize, config.HiddenSize, config.FeatureSize, config.AttentionSize, config.ContextToOutput,
            Vocabulary.PadId, random, config.Dropout)
        : new CaptionDecoder(config.Vocabulary, config.EmbeddingSize, config.HiddenSize, config.FeatureSize, Vocabulary.PadId, random, CellSpec.Parse(config.Cell), config.Dropout);

    /// <summary>--attention: absent or none, the seed's decoder; bahdanau (or additive, or the bare flag), the attention decoder.</summary>
    private static bool Attends(TaskOptions options) => options.Get("attention") switch
    {
        null or "none" => false,
        "" or "bahdanau" or "additive" => true,
        var other => throw new TaskUsageException($"captions: --attention is bahdanau (additive attention over the image regions) or none, not '{other}'."),
    };

    /// <summary>The beam width (--beam) and length penalty (--length-penalty) of the decoding reported.</summary>
    private static (int Width, double LengthPenalty) Decoding(TaskOptions options)
    {
        int width = options.GetPositive("beam", DefaultBeam);
        if (options.Get("length-penalty") is not { } text) return (width, 1.0);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double penalty) && penalty >= 0 && penalty <= 5
            ? (width, penalty) : throw new TaskUsageException($"--length-penalty must be a number from 0 to 5, got '{text}'.");
    }

    private static (ImageFeaturizer Featurizer, string ModelId) LoadCnn()
    {
        var (network, preprocessing) = PretrainedResNet.Locate();
        return (PretrainedResNet.Load(), ImageFeatureCache.ModelId(network, preprocessing));
    }

    /// <summary>
    /// The pooled features (or with <paramref name="grids"/> the grids, regions × channels) of the images <paramref name="wanted"/>
    /// (by image index; null for the others and for unreadable images).
    /// </summary>
    private static float[]?[] Features(Flickr8k data, int[] wanted, ImageFeaturizer featurizer, string modelId, TaskOptions options, TaskContext context, bool grids)
    {
        string folder = options.Get("feature-cache") ?? Path.Combine(DatasetCache.DefaultCacheFolder(), "features");
        var cache = new ImageFeatureCache(featurizer, modelId, folder);
        bool recompute = options.Get("no-cache") is { } flag && bool.Parse(flag);
        bool cachedOnly = options.Get("cached-only") is { } only && bool.Parse(only);
        var cached = cache.Get(wanted.Select(i => data.ImagePath(i)).ToArray(), withGrid: grids, recompute, context, cachedOnly);
        foreach (var failure in cached.Failed) context.Log($"skipped image {failure}");
        if (cached.Failed.Count > 0) context.Log($"{cached.Failed.Count} images could not be read and were skipped");
        if (cached.Missing > 0 && !cachedOnly)
            throw new TaskUsageException($"Cancelled while computing image features: {cached.Computed} were computed and kept in the cache {cache.PooledPath}, {cached.Missing} are still missing; run again to finish (or use --cached-only).");
        if (cached.Missing > 0) context.Log($"--cached-only: {cached.Missing} of {wanted.Length} images have no cached features and are left out");
        var result = new float[]?[data.Images.Count];
        for (int k = 0; k < wanted.Length; k++) result[wanted[k]] = grids ? cached.Features[k]?.Grid : cached.Features[k]?.Pooled;
        return result;
    }

    /// <summary>The images' features as the decoder reads them, scaled: (B, F) pooled vectors, or (B, P, F) grids with attention.</summary>
    private static Tensor FeatureRows(CaptionTaskConfig config, IReadOnlyList<float[]> rows)
    {
        int size = rows[0].Length;
        var values = new float[rows.Count * size];
        for (int b = 0; b < rows.Count; b++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(rows[b], config.FeatureScale, values.AsSpan(b * size, size));
        return config.Attends ? Tensor.Wrap(values, rows.Count, config.Regions, config.FeatureSize) : Tensor.Wrap(values, rows.Count, size);
    }

    private TrainingHistory Fit(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features, (int Image, int[] Ids)[] examples, int[] dev,
        Flickr8k data, Vocabulary vocabulary, TaskOptions options, RandomGenerator random, TaskContext context)
    {
        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            var (logits, targets, mask, _) = TeacherForced(model, config, features, examples, batch);
            return new(Losses.CrossEntropy(logits, targets, mask: mask), batch.Length);
        }, monitor: dev.Length > 0 ? new MetricMonitor("bleu4", Maximize: true, Defaults.Patience) : null,
            schedule: Fraction(options, "lr-decay") is { } decay ? (optimizer, _, _) => new ExponentialLR(optimizer, decay) : null);
        var lengths = examples.Select(e => e.Ids.Length).ToArray();
        return trainer.Fit(
            r => BatchOrder.Bucketed(lengths, batchSize, bucketBatches: 20, r),
            dev.Length == 0 ? null : () =>
            {
                var bleu = Score(Greedy(model, config, features, dev, vocabulary), dev, data);
                return new Dictionary<string, double> { ["bleu4"] = bleu.Score, ["bleu1"] = bleu.Cumulative(1) };
            },
            context.ProgressFor(Name), context.Cancellation);
    }

    /// <summary>A task option that is a number in (0, 1] (--lr-decay), or null when not given.</summary>
    private static double? Fraction(TaskOptions options, string name)
    {
        if (options.Get(name) is not { } text) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && value <= 1
            ? value : throw new TaskUsageException($"--{name} must be a number in (0, 1], got '{text}'.");
    }

    /// <summary>The mean cross-entropy (nats) per predicted token — each word and the final &lt;eos&gt; — of the images' captions, teacher-forced.</summary>
    private static double TeacherForcedLoss(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features, int[] images, Flickr8k data, Vocabulary vocabulary)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var pairs = images.SelectMany(i => data.Captions[i].Select(words => (Image: i, Ids: vocabulary.Encode(words, addBegin: true, addEnd: true)))).ToArray();
        double sum = 0;
        long tokens = 0;
        foreach (var batch in BatchOrder.Sequential(pairs.Length, 256))
        {
            var (logits, targets, mask, count) = TeacherForced(model, config, features, pairs, batch);
            sum += Losses.CrossEntropy(logits, targets, reduction: Reduction.Sum, mask: mask).Item();
            tokens += count;
        }
        return sum / Math.Max(1, tokens);
    }

    /// <summary>
    /// The decoder reads &lt;bos&gt; w_1 … w_n and must predict w_1 … w_n &lt;eos&gt;: logits (B, T, V), the targets in
    /// the same order, the mask of the real positions and their number.
    /// </summary>
    private static (Tensor Logits, int[] Targets, Tensor Mask, int Tokens) TeacherForced(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features,
        (int Image, int[] Ids)[] pairs, int[] batch)
    {
        var input = PaddedSequences.FromSequences(batch.Select(k => (IReadOnlyList<int>)pairs[k].Ids[..^1]).ToArray());
        var targets = PaddedSequences.FromSequences(batch.Select(k => (IReadOnlyList<int>)pairs[k].Ids[1..]).ToArray()).Ids;
        var logits = model.Logits(FeatureRows(config, batch.Select(k => features[pairs[k].Image]!).ToArray()), input);
        return (logits, targets, SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst), input.Lengths.Sum());
    }

    private static string[][] Greedy(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features, int[] images, Vocabulary vocabulary)
    {
        var result = new List<string[]>();
        foreach (var batch in BatchOrder.Sequential(images.Length, 500))
        {
            var rows = FeatureRows(config, batch.Select(k => features[images[k]]!).ToArray());
            result.AddRange(model.Generate(rows, vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords).Select(ids => vocabulary.Decode(ids)));
        }
        return [.. result];
    }

    private static int[][] Beam(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features, int[] images, Vocabulary vocabulary, (int Width, double LengthPenalty) decoding) =>
        images.Select(i => model.BeamSearch(FeatureRows(config, [features[i]!]), vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords, decoding.Width, decoding.LengthPenalty)).ToArray();

    private static BleuScore Score(string[][] hypotheses, int[] images, Flickr8k data) =>
        Bleu.Corpus(images.Select((image, k) => ((IReadOnlyList<string>)hypotheses[k], (IReadOnlyList<IReadOnlyList<string>>)data.Captions[image])));

    /// <summary>
    /// BLEU-1..4 of greedy and beam decoding on the <paramref name="images"/> of <paramref name="split"/>, the
    /// teacher-forced loss, and samples for the report (with attention: where the decoder looked for each word).
    /// </summary>
    private TaskResult Report(ImageCaptioner model, CaptionTaskConfig config, float[]?[] features, int[] images, Flickr8k data, Vocabulary vocabulary,
        (int Width, double LengthPenalty) decoding, TaskContext context, string split = "test")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int width = decoding.Width;
        var greedy = Greedy(model, config, features, images, vocabulary);
        var greedyBleu = Score(greedy, images, data);
        var beamIds = width > 1 ? Beam(model, config, features, images, vocabulary, decoding) : null;
        var beam = beamIds is null ? greedy : beamIds.Select(ids => vocabulary.Decode(ids)).ToArray();
        var beamBleu = Score(beam, images, data);
        var result = new TaskResult(Name, $"bleu4_beam{width}", beamBleu.Score);
        foreach (var (name, bleu) in new[] { ("greedy", greedyBleu), ($"beam{width}", beamBleu) })
        {
            for (int n = 1; n <= 4; n++) result.Figures[$"{name}_bleu{n}"] = bleu.Cumulative(n);
            result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name,-7} BLEU-1/2/3/4 = {bleu.Cumulative(1):F1}/{bleu.Cumulative(2):F1}/{bleu.Cumulative(3):F1}/{bleu.Cumulative(4):F1} (brevity penalty {bleu.BrevityPenalty:F3}, {bleu.CandidateLength} words for {bleu.ReferenceLength} reference words)"));
        }
        result.Figures[$"{split}_loss"] = TeacherForcedLoss(model, config, features, images, data, vocabulary);
        result.Figures["beam_width"] = width;
        result.Figures["length_penalty"] = decoding.LengthPenalty;
        result.Figures[$"{split}_images"] = images.Length;
        result.Figures["distinct_beam_captions"] = beam.Select(c => string.Join(' ', c)).Distinct().Count();
        result.Figures["decode_seconds"] = clock.Elapsed.TotalSeconds;
        result.Lines.Insert(0, string.Create(CultureInfo.InvariantCulture,
            $"{images.Length} {split} images, five references each; beam width {width}, length-normalised (log p / (words + 1)^{decoding.LengthPenalty})"));
        foreach (var k in Enumerable.Range(0, Math.Min(8, images.Length)))
            result.Lines.Add($"  {data.Images[images[k]]}: {string.Join(' ', beam[k])}   (greedy: {string.Join(' ', greedy[k])}; reference: {string.Join(' ', data.Captions[images[k]][0])})");
        result.Figures["samples"] = Enumerable.Range(0, Math.Min(24, images.Length)).Select(k => new Dictionary<string, object>
        {
            ["image"] = data.ImagePath(images[k]),
            ["beam"] = string.Join(' ', beam[k]),
            ["greedy"] = string.Join(' ', greedy[k]),
            ["references"] = data.Captions[images[k]].Take(2).Select(r => string.Join(' ', r)).ToArray(),
        }).ToArray();
        // The report's gallery; with attention, where the decoder looked for each word of the reported caption (and for its end).
        foreach (var k in Enumerable.Range(0, Math.Min(GallerySize, images.Length)))
        {
            var ids = beamIds?[k] ?? vocabulary.Encode(greedy[k]);
            var weights = model is AttentionCaptionDecoder attending ? attending.AttentionOf(FeatureRows(config, [features[images[k]]!]), ids, vocabulary.BeginId) : null;
            result.Insights.Add(new CaptionedImage(data.ImagePath(images[k]), string.Join(' ', beam[k]),
                data.Captions[images[k]].Take(2).Select(r => string.Join(' ', r)).ToArray(), [.. beam[k], "<eos>"], weights, weights is null ? 0 : GridSide(config.Regions)));
        }
        return result;
    }

    /// <summary>The side of a square grid of regions (7 for 49).</summary>
    private static int GridSide(int regions)
    {
        int side = (int)Math.Round(Math.Sqrt(regions));
        return side * side == regions ? side : throw new InvalidOperationException($"The CNN's grid of {regions} regions is not square.");
    }
}
