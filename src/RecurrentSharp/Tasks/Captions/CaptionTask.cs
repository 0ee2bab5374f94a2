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
public sealed record CaptionTaskConfig(int Vocabulary, int EmbeddingSize, int HiddenSize, int FeatureSize, string Cell, float Dropout, float FeatureScale, string CnnModel);

/// <summary>
/// Image captioning on Flickr8k ("看图说话"): ResNet-18 (ImageNet, from the ML.NET package's ONNX file, run by our
/// own <see cref="FrozenConvNet"/>) turns each image into 512 features X, cached; a <see cref="CaptionDecoder"/> (LSTM)
/// takes V·X into its first step and writes the caption word by word. Trained on the 6,000 training images × 5
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
        var features = Features(data, featurized, featurizer, modelId, options, context);
        train = train.Where(i => features[i] is not null).ToArray();
        dev = dev.Where(i => features[i] is not null).ToArray();
        test = test.Where(i => features[i] is not null).ToArray();

        int minCount = options.GetPositive("min-count", options.Limit is null ? 5 : 1);
        var vocabulary = Vocabulary.Build(train.SelectMany(i => data.Captions[i]), minCount, withBeginEnd: true);
        float scale = 1f / (float)train.Average(i => features[i]!.Average());
        string cell = options.Cell ?? "lstm";
        var config = new CaptionTaskConfig(vocabulary.Count, EmbeddingSize, options.Hidden ?? 256, featurizer.PooledSize, cell, options.Dropout ?? 0.3f, scale, modelId);
        var model = Build(config, random);
        var examples = train.SelectMany(i => data.Captions[i].Select(words => (Image: i, Ids: vocabulary.Encode(words.Take(MaxTrainWords), addBegin: true, addEnd: true)))).ToArray();
        context.Log($"captions: {train.Length} training images ({examples.Length} captions), {dev.Length} dev, {test.Length} test; vocabulary {vocabulary.Count} words (seen {minCount}+ times); " +
            $"{cell} decoder, hidden {config.HiddenSize}, embedding {EmbeddingSize}");

        var history = Fit(model, config, features, examples, dev, data, vocabulary, options, random, context);
        var result = Report(model, config, features, test, data, vocabulary, options.GetPositive("beam", DefaultBeam), context);
        result.Histories[cell] = history;
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
        int[] test = data.Test;
        if (saved.RequireOptionalInt("limit") is { } limit) test = test.Take(Math.Max(1, limit / 4)).ToArray();
        var (featurizer, modelId) = LoadCnn();
        if (modelId != config.CnnModel) throw new TaskUsageException($"{saved.Path} was trained on the features of CNN {config.CnnModel}, but the ResNet-18 found is {modelId}.");
        var features = Features(data, test, featurizer, modelId, options, context);
        return Report(model, config, features, test.Where(i => features[i] is not null).ToArray(), data, vocabulary, options.GetPositive("beam", DefaultBeam), context);
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
            var features = featurizer.Featurize(ImageDecoder.Decode(path)).Pooled;
            var words = model.BeamSearch(FeatureRows([features], config.FeatureScale), vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords, DefaultBeam);
            yield return $"{path}\t{string.Join(' ', vocabulary.Decode(words))}";
        }
    }

    /// <inheritdoc/>
    public override Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (CaptionDecoder Model, CaptionTaskConfig Config, Vocabulary Vocabulary) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var config = saved.Config<CaptionTaskConfig>();
        var vocabulary = Vocabulary.FromJson(saved.Require("vocabulary"), saved.Path);
        var model = Build(config);
        saved.LoadInto(model);
        model.Eval();
        return (model, config, vocabulary);
    }

    private static CaptionDecoder Build(CaptionTaskConfig config, RandomGenerator? random = null) =>
        new(config.Vocabulary, config.EmbeddingSize, config.HiddenSize, config.FeatureSize, Vocabulary.PadId, random, CellSpec.Parse(config.Cell), config.Dropout);

    private static (ImageFeaturizer Featurizer, string ModelId) LoadCnn()
    {
        var (network, preprocessing) = PretrainedResNet.Locate();
        return (PretrainedResNet.Load(), ImageFeatureCache.ModelId(network, preprocessing));
    }

    /// <summary>The pooled features of the images <paramref name="wanted"/> (by image index; null for the others and for unreadable images).</summary>
    private static float[]?[] Features(Flickr8k data, int[] wanted, ImageFeaturizer featurizer, string modelId, TaskOptions options, TaskContext context)
    {
        string folder = options.Get("feature-cache") ?? Path.Combine(DatasetCache.DefaultCacheFolder(), "features");
        var cache = new ImageFeatureCache(featurizer, modelId, folder);
        bool recompute = options.Get("no-cache") is { } flag && bool.Parse(flag);
        bool cachedOnly = options.Get("cached-only") is { } only && bool.Parse(only);
        var cached = cache.Get(wanted.Select(i => data.ImagePath(i)).ToArray(), withGrid: false, recompute, context, cachedOnly);
        foreach (var failure in cached.Failed) context.Log($"skipped image {failure}");
        if (cached.Failed.Count > 0) context.Log($"{cached.Failed.Count} images could not be read and were skipped");
        if (cached.Missing > 0 && !cachedOnly)
            throw new TaskUsageException($"Cancelled while computing image features: {cached.Computed} were computed and kept in the cache {cache.PooledPath}, {cached.Missing} are still missing; run again to finish (or use --cached-only).");
        if (cached.Missing > 0) context.Log($"--cached-only: {cached.Missing} of {wanted.Length} images have no cached features and are left out");
        var result = new float[]?[data.Images.Count];
        for (int k = 0; k < wanted.Length; k++) result[wanted[k]] = cached.Features[k]?.Pooled;
        return result;
    }

    /// <summary>Feature vectors as a (B, F) tensor, scaled.</summary>
    private static Tensor FeatureRows(IReadOnlyList<float[]> rows, float scale)
    {
        int size = rows[0].Length;
        var values = new float[rows.Count * size];
        for (int b = 0; b < rows.Count; b++)
            for (int j = 0; j < size; j++) values[b * size + j] = rows[b][j] * scale;
        return Tensor.Wrap(values, rows.Count, size);
    }

    private TrainingHistory Fit(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features, (int Image, int[] Ids)[] examples, int[] dev,
        Flickr8k data, Vocabulary vocabulary, TaskOptions options, RandomGenerator random, TaskContext context)
    {
        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            var (logits, targets, mask, _) = TeacherForced(model, config, features, examples, batch);
            return new(Losses.CrossEntropy(logits, targets, mask: mask), batch.Length);
        }, monitor: dev.Length > 0 ? new MetricMonitor("bleu4", Maximize: true, Defaults.Patience) : null);
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

    /// <summary>The mean cross-entropy (nats) per predicted token — each word and the final &lt;eos&gt; — of the images' captions, teacher-forced.</summary>
    private static double TeacherForcedLoss(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features, int[] images, Flickr8k data, Vocabulary vocabulary)
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
    private static (Tensor Logits, int[] Targets, Tensor Mask, int Tokens) TeacherForced(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features,
        (int Image, int[] Ids)[] pairs, int[] batch)
    {
        var input = PaddedSequences.FromSequences(batch.Select(k => (IReadOnlyList<int>)pairs[k].Ids[..^1]).ToArray());
        var targets = PaddedSequences.FromSequences(batch.Select(k => (IReadOnlyList<int>)pairs[k].Ids[1..]).ToArray()).Ids;
        var logits = model.Forward(FeatureRows(batch.Select(k => features[pairs[k].Image]!).ToArray(), config.FeatureScale), input);
        return (logits, targets, SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst), input.Lengths.Sum());
    }

    private static string[][] Greedy(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features, int[] images, Vocabulary vocabulary)
    {
        var result = new List<string[]>();
        foreach (var batch in BatchOrder.Sequential(images.Length, 500))
        {
            var rows = FeatureRows(batch.Select(k => features[images[k]]!).ToArray(), config.FeatureScale);
            result.AddRange(model.Generate(rows, vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords).Select(ids => vocabulary.Decode(ids)));
        }
        return [.. result];
    }

    private static string[][] Beam(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features, int[] images, Vocabulary vocabulary, int width) =>
        images.Select(i => vocabulary.Decode(model.BeamSearch(FeatureRows([features[i]!], config.FeatureScale), vocabulary.BeginId, vocabulary.EndId, MaxCaptionWords, width))).ToArray();

    private static BleuScore Score(string[][] hypotheses, int[] images, Flickr8k data) =>
        Bleu.Corpus(images.Select((image, k) => ((IReadOnlyList<string>)hypotheses[k], (IReadOnlyList<IReadOnlyList<string>>)data.Captions[image])));

    private TaskResult Report(CaptionDecoder model, CaptionTaskConfig config, float[]?[] features, int[] test, Flickr8k data, Vocabulary vocabulary, int width, TaskContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var greedy = Greedy(model, config, features, test, vocabulary);
        var greedyBleu = Score(greedy, test, data);
        var beam = width > 1 ? Beam(model, config, features, test, vocabulary, width) : greedy;
        var beamBleu = Score(beam, test, data);
        var result = new TaskResult(Name, $"bleu4_beam{width}", beamBleu.Score);
        foreach (var (name, bleu) in new[] { ("greedy", greedyBleu), ($"beam{width}", beamBleu) })
        {
            for (int n = 1; n <= 4; n++) result.Figures[$"{name}_bleu{n}"] = bleu.Cumulative(n);
            result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name,-7} BLEU-1/2/3/4 = {bleu.Cumulative(1):F1}/{bleu.Cumulative(2):F1}/{bleu.Cumulative(3):F1}/{bleu.Cumulative(4):F1} (brevity penalty {bleu.BrevityPenalty:F3}, {bleu.CandidateLength} words for {bleu.ReferenceLength} reference words)"));
        }
        result.Figures["test_loss"] = TeacherForcedLoss(model, config, features, test, data, vocabulary);
        result.Figures["beam_width"] = width;
        result.Figures["test_images"] = test.Length;
        result.Figures["distinct_beam_captions"] = beam.Select(c => string.Join(' ', c)).Distinct().Count();
        result.Figures["decode_seconds"] = clock.Elapsed.TotalSeconds;
        result.Lines.Insert(0, $"{test.Length} test images, five references each; beam width {width}, length-normalised");
        foreach (var k in Enumerable.Range(0, Math.Min(8, test.Length)))
            result.Lines.Add($"  {data.Images[test[k]]}: {string.Join(' ', beam[k])}   (greedy: {string.Join(' ', greedy[k])}; reference: {string.Join(' ', data.Captions[test[k]][0])})");
        result.Figures["samples"] = Enumerable.Range(0, Math.Min(24, test.Length)).Select(k => new Dictionary<string, object>
        {
            ["image"] = data.ImagePath(test[k]),
            ["beam"] = string.Join(' ', beam[k]),
            ["greedy"] = string.Join(' ', greedy[k]),
            ["references"] = data.Captions[test[k]].Take(2).Select(r => string.Join(' ', r)).ToArray(),
        }).ToArray();
        return result;
    }
}
