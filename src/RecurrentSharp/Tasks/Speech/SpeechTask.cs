using System.Globalization;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Data.Audio;
using RecurrentSharp.Formats.Wav;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Speech;

/// <summary>
/// Spoken digits spelled by CTC (Free Spoken Digit Dataset, 8 kHz): log-mel frames (40 bands, 25 ms, 10 ms hop,
/// normalised per utterance) → BiLSTM with a pyramidal top layer → Linear → CTC over the letters of the
/// digit's word ("seven" → s e v e n). The split is speaker-disjoint: one speaker (--test-speaker, default
/// drawn with the seed) is the test set; a tenth of the other speakers' recordings (seeded) validates.
/// Metrics: character error rate, word accuracy (the whole word right) and digit accuracy (the digit whose
/// spelling is nearest to the decoded text).
/// </summary>
public sealed class SpeechTask : ApplicationTask
{
    private const int SampleRate = 8000;
    private const string Manifest = "speech/fsdd/MANIFEST.sha256";
    private static readonly TrainingDefaults Defaults = new(Epochs: 30, BatchSize: 16, LearningRate: 2e-3, Patience: 8);
    private static readonly string Letters = new(SpokenDigitRecordings.Words.SelectMany(w => w).Distinct().Order().ToArray());

    /// <inheritdoc/>
    public override string Name => "speech";

    /// <inheritdoc/>
    public override string Summary => "FSDD spoken digits spelled letter by letter: log-mel -> BiLSTM (pyramidal top layer) -> CTC; one unseen test speaker (target word accuracy >= 90%, CER <= 5%)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var recordings = SpokenDigitRecordings.List(RecordingsFolder(options, context));
        var speakers = recordings.Select(r => r.Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (speakers.Length < 2) throw new TaskUsageException($"speech needs recordings of at least two speakers for a speaker-disjoint split; found {speakers.Length}.");
        var random = new RandomGenerator(options.Seed);
        string testSpeaker = options.Get("test-speaker") ?? speakers[random.Next(speakers.Length)];
        if (!speakers.Contains(testSpeaker))
            throw new TaskUsageException($"--test-speaker '{testSpeaker}' has no recordings; the speakers are {string.Join(", ", speakers)}.");

        var test = Indices(recordings, r => r.Speaker == testSpeaker);
        var rest = Indices(recordings, r => r.Speaker != testSpeaker);
        rest = random.Permutation(rest.Length).Select(k => rest[k]).ToArray();
        int validationCount = Math.Max(1, rest.Length / 10);
        var validation = rest[..validationCount].Order().ToArray();
        var train = rest[validationCount..].Order().ToArray();
        if (options.Limit is { } limit)
        {
            train = random.Permutation(train.Length).Take(limit).Select(k => train[k]).Order().ToArray();
            validation = validation.Take(Math.Max(1, limit / 4)).ToArray();
            test = random.Permutation(test.Length).Take(Math.Max(1, limit / 2)).Select(k => test[k]).Order().ToArray();
        }

        var features = Features(recordings);
        bool augment = ParseBool(options, "augment");
        // Speed perturbation: every use of a training recording plays it at a speed drawn from [0.85, 1.15] (features recomputed, cheap next to the
        // BiLSTM); these draws and the masks come from the trainer's generator, whose state checkpoints keep, so --resume ends as an uninterrupted run.
        var signals = augment ? recordings.Select((r, i) => Array.BinarySearch(train, i) >= 0 ? ReadSignal(r.Path) : null).ToArray() : null;
        var masking = new SpecAugment();
        var config = new CtcSpeechRecognizerConfig(InputSize: features[0].Dimensions, Classes: Letters.Length + 1, HiddenSize: options.Hidden ?? 128,
            Layers: options.Layers ?? 2, Pyramidal: ParseBool(options, "pyramidal"), Dropout: options.Dropout ?? 0.2f);
        var model = new CtcSpeechRecognizer(config, random);
        context.Log($"speech: {train.Length} training and {validation.Length} validation recordings of {string.Join(", ", speakers.Where(s => s != testSpeaker))}; " +
            $"{test.Length} test recordings of {testSpeaker}; {config.InputSize} log-mel bands, {config.Classes} CTC classes (blank + '{Letters}')" +
            (augment ? "; augmented: speed 0.85-1.15 and SpecAugment masks" : ""));

        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            var inputs = batch.Select(i => signals is not null
                ? masking.Apply(LogMel(signals[i]!, SlowestSpeed + (FastestSpeed - SlowestSpeed) * random.NextDouble()), random)
                : features[i]).ToArray();
            var (x, lengths) = Pad(inputs);
            var logProbs = model.Forward(x, lengths);
            var targets = CtcTargets.FromSequences(batch.Select(i => Encode(recordings[i].Word)).ToArray());
            return new(Losses.CtcLoss(logProbs, targets, lengths.Select(model.OutputLength).ToArray(), blank: 0, Reduction.Mean), batch.Length);
        }, new MetricMonitor("cer", Maximize: false, Defaults.Patience));
        var frameCounts = train.Select(i => features[i].Frames).ToArray();
        var history = trainer.Fit(
            r => BatchOrder.Bucketed(frameCounts, batchSize, bucketBatches: 10, r).Select(b => b.Select(i => train[i]).ToArray()).ToArray(),
            () => Score(model, recordings, features, validation, 1).Figures(),
            context.ProgressFor(Name), context.Cancellation);

        var scores = Score(model, recordings, features, test, Beam(options));
        var result = Report(scores, testSpeaker);
        result.Insights.AddRange(Alignments(model, recordings, features, test));
        result.Histories["ctc"] = history;
        result.Figures["train_examples"] = train.Length;
        result.Figures["validation_examples"] = validation.Length;
        result.Figures["stopped"] = history.StopReason.ToString();
        result.Figures["augment"] = augment;
        result.Figures["train_speakers"] = speakers.Where(s => s != testSpeaker).ToArray();
        string path = options.OutputPath ?? $"{Name}.safetensors";
        SavedModel.Save(path, Name, model, config, new Dictionary<string, string>
        {
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["test_speaker"] = testSpeaker,
            ["train_speakers"] = string.Join(",", speakers.Where(s => s != testSpeaker)),
            ["letters"] = Letters,
            ["sample_rate"] = SampleRate.ToString(CultureInfo.InvariantCulture),
        });
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var model = Load(saved);
        var trainSpeakers = saved.Require("train_speakers").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var all = SpokenDigitRecordings.List(RecordingsFolder(options, context));
        // A training speaker's recordings would flatter the model: only the others are scored.
        var recordings = all.Where(r => !trainSpeakers.Contains(r.Speaker)).ToList();
        if (recordings.Count < all.Count) context.Log($"speech: left out {all.Count - recordings.Count} recordings of the training speakers {string.Join(", ", trainSpeakers.Order())}");
        if (recordings.Count == 0) throw new TaskUsageException($"every recording in the folder is of a training speaker ({string.Join(", ", trainSpeakers.Order())}); nothing unseen to score.");
        var features = Features(recordings);
        var scores = Score(model, recordings, features, Enumerable.Range(0, recordings.Count).ToArray(), Beam(options));
        var result = Report(scores, string.Join(",", recordings.Select(r => r.Speaker).Distinct().Order(StringComparer.Ordinal)));
        result.Insights.AddRange(Alignments(model, recordings, features, Enumerable.Range(0, recordings.Count).ToArray()));
        return result;
    }

    /// <summary>How many recordings the report draws with their spectrogram and best path.</summary>
    private const int AlignmentsShown = 4;

    /// <summary>
    /// The report's pictures: for the first recording of each of a few words among <paramref name="indices"/>, the
    /// log-mel spectrogram (before normalisation) and the class the best path emits at every output frame.
    /// </summary>
    private static List<SpectrogramAlignment> Alignments(CtcSpeechRecognizer model, IReadOnlyList<SpokenDigitRecording> recordings, FeatureMatrix[] features, int[] indices)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var alignments = new List<SpectrogramAlignment>();
        foreach (int i in indices.DistinctBy(i => recordings[i].Word).Take(AlignmentsShown))
        {
            var (x, lengths) = Pad([features[i]]);
            var logProbs = model.Forward(x, lengths);                  // (T', 1, C)
            int frames = model.OutputLength(lengths[0]), classes = logProbs.Size(2);
            var path = CtcGreedyDecoder.BestPath(logProbs.Data, frames, classes, classes);
            var spectrogram = Extractor.Compute(ReadSignal(recordings[i].Path));
            alignments.Add(new SpectrogramAlignment(Path.GetFileName(recordings[i].Path), spectrogram.Values, spectrogram.Frames, spectrogram.Dimensions,
                Extractor.HopLength / (double)SampleRate, path.Select(k => k == 0 ? null : Letters[k - 1].ToString()).ToArray(),
                model.Config.Pyramidal ? 2 : 1, new string(CtcGreedyDecoder.Collapse(path, blank: 0).Select(l => Letters[l - 1]).ToArray()), recordings[i].Word));
        }
        return alignments;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var model = Load(saved);
        foreach (var path in inputs)
        {
            var feature = Extract(path);
            var text = Decode(model, [feature], [0], 1)[0];
            int digit = SpokenDigitRecordings.NearestDigit(text, (a, b) => EditDistance.Between<char>(a, b));
            yield return $"{path}\t{text}\t{digit}";
        }
    }

    private static CtcSpeechRecognizer Load(SavedModel saved)
    {
        saved.RequireTask("speech");
        if (saved.Require("letters") != Letters) throw new ModelFormatException($"{saved.Path}: its letters '{saved.Require("letters")}' are not the digit words' '{Letters}'.");
        if (saved.RequireInt("sample_rate", 1) != SampleRate) throw new ModelFormatException($"{saved.Path}: trained on {saved.Require("sample_rate")} Hz audio, this version reads {SampleRate} Hz.");
        var model = new CtcSpeechRecognizer(saved.Config<CtcSpeechRecognizerConfig>());
        saved.LoadInto(model);
        model.Eval();
        return model;
    }

    /// <summary>--data (a folder of recordings, or one holding <c>recordings/</c>), else the data folder's speech/fsdd/recordings.</summary>
    private static string RecordingsFolder(TaskOptions options, TaskContext context)
    {
        if (options.DataPath is { } path && Directory.Exists(path))
            return Directory.Exists(Path.Combine(path, "recordings")) ? Path.Combine(path, "recordings") : path;
        return Path.Combine(Path.GetDirectoryName(TaskData.Resolve(options, context, Manifest))!, "recordings");
    }

    private static int[] Indices(IReadOnlyList<SpokenDigitRecording> recordings, Func<SpokenDigitRecording, bool> keep) =>
        Enumerable.Range(0, recordings.Count).Where(i => keep(recordings[i])).ToArray();

    private const double SlowestSpeed = 0.85, FastestSpeed = 1.15;

    /// <summary>A true/false task option that defaults to true.</summary>
    private static bool ParseBool(TaskOptions options, string name) => options.Get(name) switch
    {
        null or "true" => true,
        "false" => false,
        var v => throw new TaskUsageException($"--{name} must be true or false, got '{v}'."),
    };

    private static int Beam(TaskOptions options) => options.GetPositive("beam", 1);

    private static FeatureMatrix[] Features(IReadOnlyList<SpokenDigitRecording> recordings) => recordings.Select(r => Extract(r.Path)).ToArray();

    /// <summary>Per-utterance normalised log-mel features of one file.</summary>
    private static FeatureMatrix Extract(string path) => LogMel(ReadSignal(path), 1.0);

    /// <summary>The samples of an 8 kHz file (this task does not resample: another rate is an error naming the file).</summary>
    private static float[] ReadSignal(string path)
    {
        var audio = WavReader.Read(path);
        if (audio.SampleRate != SampleRate)
            throw new DataFormatException(path, null, $"the sample rate is {audio.SampleRate} Hz; the speech task reads {SampleRate} Hz audio and does not resample");
        return audio.Samples;
    }

    /// <summary>Log-mel features of the signal played at <paramref name="speed"/>, normalised by their own mean and variance.</summary>
    private static FeatureMatrix LogMel(float[] samples, double speed)
    {
        var played = speed == 1.0 ? samples : SpeedPerturbation.Apply(samples, speed);
        return FeatureNormalizer.PerUtterance(Extractor.Compute(played));
    }

    private static readonly LogMelSpectrogram Extractor = new(SampleRate);

    private static int[] Encode(string word) => word.Select(c => Letters.IndexOf(c) + 1).ToArray();

    /// <summary>Pads the features of a batch into (B, T_max, F) with zeros.</summary>
    private static (Tensor X, int[] Lengths) Pad(FeatureMatrix[] batch)
    {
        int steps = batch.Max(f => f.Frames), dims = batch[0].Dimensions;
        var x = new float[batch.Length * steps * dims];
        var lengths = new int[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            var f = batch[b];
            f.Values.CopyTo(x.AsSpan(b * steps * dims));
            lengths[b] = f.Frames;
        }
        return (Tensor.Wrap(x, batch.Length, steps, dims), lengths);
    }

    /// <summary>The decoded text of each recording in <paramref name="indices"/> (greedy for beam 1, else prefix beam search).</summary>
    private static string[] Decode(CtcSpeechRecognizer model, FeatureMatrix[] features, int[] indices, int beam)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var result = new string[indices.Length];
        foreach (var part in BatchOrder.Sequential(indices.Length, 32))
        {
            var batch = part.Select(k => indices[k]).ToArray();
            var (x, lengths) = Pad(batch.Select(i => features[i]).ToArray());
            var logProbs = model.Forward(x, lengths);                  // (T', B, C)
            int B = batch.Length, C = logProbs.Size(2);
            var y = logProbs.Data;
            for (int b = 0; b < B; b++)
            {
                int frames = model.OutputLength(lengths[b]);
                var rows = y[(b * C)..];
                var labels = beam <= 1
                    ? CtcGreedyDecoder.Decode(rows, frames, C, B * C, blank: 0)
                    : CtcPrefixBeamSearch.Decode(rows, frames, C, B * C, blank: 0, beam)[0].Labels;
                result[part[b]] = new string(labels.Select(l => Letters[l - 1]).ToArray());
            }
        }
        return result;
    }

    private sealed record Scores(double CharacterErrorRate, double WordAccuracy, double DigitAccuracy, int Count, string[] Examples)
    {
        public IReadOnlyDictionary<string, double> Figures() => new Dictionary<string, double>
        {
            ["cer"] = CharacterErrorRate,
            ["word_accuracy"] = WordAccuracy,
            ["digit_accuracy"] = DigitAccuracy,
        };
    }

    private static Scores Score(CtcSpeechRecognizer model, IReadOnlyList<SpokenDigitRecording> recordings, FeatureMatrix[] features, int[] indices, int beam)
    {
        var decoded = Decode(model, features, indices, beam);
        var pairs = indices.Select((i, k) => (decoded[k], recordings[i].Word)).ToArray();
        int words = 0, digits = 0;
        for (int k = 0; k < indices.Length; k++)
        {
            var r = recordings[indices[k]];
            if (decoded[k] == r.Word) words++;
            if (SpokenDigitRecordings.NearestDigit(decoded[k], (a, b) => EditDistance.Between<char>(a, b)) == r.Digit) digits++;
        }
        var examples = indices.Take(8).Select((i, k) => $"{Path.GetFileName(recordings[i].Path)}: heard '{decoded[k]}', said '{recordings[i].Word}'").ToArray();
        int n = Math.Max(1, indices.Length);
        return new Scores(EditDistance.CharacterErrorRate(pairs), (double)words / n, (double)digits / n, indices.Length, examples);
    }

    private TaskResult Report(Scores s, string testSpeakers)
    {
        var result = new TaskResult(Name, "word_accuracy", s.WordAccuracy);
        result.Figures["cer"] = s.CharacterErrorRate;
        result.Figures["digit_accuracy"] = s.DigitAccuracy;
        result.Figures["test_examples"] = s.Count;
        result.Figures["test_speakers"] = testSpeakers;
        result.Lines.Add($"test speaker(s) {testSpeakers}: {s.Count} recordings, word accuracy {s.WordAccuracy:P1}, CER {s.CharacterErrorRate:P2}, digit accuracy {s.DigitAccuracy:P1}");
        result.Lines.AddRange(s.Examples);
        return result;
    }
}
