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
/// Spoken digits spelled letter by letter (Free Spoken Digit Dataset, 8 kHz): log-mel frames (40 bands, 25 ms,
/// 10 ms hop, normalised per utterance) → BiLSTM with a pyramidal top layer, then either Linear → CTC over the
/// letters of the digit's word ("seven" → s e v e n; <c>--model ctc</c>, the default) or an attention speller
/// (<c>--model las</c>, Listen, Attend and Spell) trained with cross-entropy under teacher forcing. The split is
/// speaker-disjoint: one speaker (--test-speaker, default drawn with the seed) is the test set; the model is
/// chosen on a tenth of the other speakers' recordings (seeded), or on all of one of them (--validation-speaker),
/// which measures what tuning needs, an unseen voice, without touching the test speaker.
/// Metrics: character error rate, word accuracy (the whole word right) and digit accuracy (the digit whose
/// spelling is nearest to the decoded text).
/// </summary>
public sealed class SpeechTask : ApplicationTask
{
    private const int SampleRate = 8000;
    private const string Manifest = "speech/fsdd/MANIFEST.sha256";
    private static readonly TrainingDefaults Defaults = new(Epochs: 30, BatchSize: 16, LearningRate: 2e-3, Patience: 8);

    /// <inheritdoc/>
    public override string Name => "speech";

    /// <inheritdoc/>
    public override string Summary => "FSDD spoken digits spelled letter by letter: log-mel -> BiLSTM (pyramidal top layer) -> CTC; one unseen test speaker (target word accuracy >= 90%, CER <= 5%)";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        string kind = ParseModel(options.Get("model") ?? "ctc");
        float ctcWeight = CtcWeight(options, kind);
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
        int[] validation, train;
        if (options.Get("validation-speaker") is { } validationSpeaker)
        {
            if (validationSpeaker == testSpeaker || !speakers.Contains(validationSpeaker))
                throw new TaskUsageException($"--validation-speaker '{validationSpeaker}' must be one of the training speakers {string.Join(", ", speakers.Where(s => s != testSpeaker))}.");
            if (speakers.Length < 3) throw new TaskUsageException("--validation-speaker needs recordings of at least three speakers (test, validation and training).");
            validation = rest.Where(i => recordings[i].Speaker == validationSpeaker).Order().ToArray();
            train = rest.Where(i => recordings[i].Speaker != validationSpeaker).Order().ToArray();
        }
        else
        {
            int validationCount = Math.Max(1, rest.Length / 10);
            validation = rest[..validationCount].Order().ToArray();
            train = rest[validationCount..].Order().ToArray();
        }
        var trainSpeakers = train.Select(i => recordings[i].Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (options.Limit is { } limit)
        {
            train = random.Permutation(train.Length).Take(limit).Select(k => train[k]).Order().ToArray();
            validation = validation.Take(Math.Max(1, limit / 4)).ToArray();
            test = random.Permutation(test.Length).Take(Math.Max(1, limit / 2)).Select(k => test[k]).Order().ToArray();
        }

        bool mfcc = ParseFeatures(options.Get("features") ?? "logmel");
        bool perSpeaker = ParseNormalisation(options.Get("normalise") ?? "utterance");
        var (features, normalisers) = Features(recordings, mfcc, perSpeaker);
        bool augment = ParseBool(options, "augment", true), vtlp = ParseBool(options, "vtlp", false);
        // Speed perturbation: every use of a training recording plays it at a speed drawn from [0.85, 1.15] (features recomputed, cheap next to the
        // BiLSTM); with --vtlp the filterbank is warped by a factor from [0.9, 1.1]; these draws and the masks come from the trainer's generator,
        // whose state checkpoints keep, so --resume ends as an uninterrupted run.
        var signals = augment ? recordings.Select((r, i) => Array.BinarySearch(train, i) >= 0 ? ReadSignal(r.Path) : null).ToArray() : null;
        int masks = options.GetPositive("masks", 2);
        var masking = new SpecAugment(FrequencyMasks: masks, TimeMasks: masks);
        int hidden = options.Hidden ?? 128, layers = options.Layers ?? 2;
        bool pyramidal = ParseBool(options, "pyramidal", true);
        float dropout = options.Dropout ?? 0.2f;
        var recognizer = kind == "las"
            ? SpeechRecognizer.Las(new ListenAttendSpellConfig(features[0].Dimensions, AttentionSpelling.Vocabulary, hidden, layers, pyramidal, dropout,
                SpellerSize: hidden, BeginId: AttentionSpelling.Begin, EndId: AttentionSpelling.End, CtcWeight: ctcWeight), random)
            : SpeechRecognizer.Ctc(new CtcSpeechRecognizerConfig(features[0].Dimensions, SpeechRecognizer.Letters.Length + 1, hidden, layers, pyramidal, dropout), random);
        context.Log($"speech ({kind}): {train.Length} training recordings of {string.Join(", ", trainSpeakers)}, {validation.Length} validation recordings of " +
            $"{string.Join(", ", validation.Select(i => recordings[i].Speaker).Distinct().Order(StringComparer.Ordinal))}; " +
            $"{test.Length} test recordings of {testSpeaker}; {features[0].Dimensions} {(mfcc ? "MFCC features" : "log-mel bands")} per frame, letters '{SpeechRecognizer.Letters}'" +
            (augment ? $"; augmented: speed 0.85-1.15{(vtlp ? ", VTLP 0.9-1.1" : "")} and {masks}+{masks} SpecAugment masks" : ""));

        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(recognizer.Module, random, options, Defaults, context, batch =>
        {
            var inputs = batch.Select(i => signals is null ? features[i] : Augmented(signals[i]!, mfcc, vtlp, masking, Normaliser(normalisers, recordings[i]), random)).ToArray();
            var (x, lengths) = SpeechRecognizer.Pad(inputs);
            return new(recognizer.Loss(x, lengths, batch.Select(i => recordings[i].Word).ToArray()), batch.Length);
        }, new MetricMonitor("cer", Maximize: false, Defaults.Patience));
        var frameCounts = train.Select(i => features[i].Frames).ToArray();
        // --average N: the model kept is the mean of the N epochs with the best validation CER (the snapshots live in memory, not in checkpoints)
        int averaged = options.GetPositive("average", 1);
        if (averaged > 1 && options.Resume) throw new TaskUsageException("--average cannot be resumed: the epochs' snapshots it averages are not in the checkpoint.");
        var snapshots = averaged > 1 ? new BestEpochAverage(recognizer.Module.Parameters(), averaged, minimize: true) : null;
        var history = trainer.Fit(
            r => BatchOrder.Bucketed(frameCounts, batchSize, bucketBatches: 10, r).Select(b => b.Select(i => train[i]).ToArray()).ToArray(),
            () =>
            {
                var scores = Score(recognizer, recordings, features, validation, 1);
                snapshots?.Offer(scores.CharacterErrorRate);
                return scores.Figures();
            },
            context.ProgressFor(Name), context.Cancellation);
        if (snapshots is not null)
        {
            snapshots.LoadAverage();
            context.Log($"speech: the model is the mean of epochs {string.Join(", ", snapshots.Epochs)} (the {snapshots.Epochs.Count} best by validation CER)");
        }

        var scores = Score(recognizer, recordings, features, test, Beam(options));
        var validationScores = Score(recognizer, recordings, features, validation, 1);
        var result = Report(scores, testSpeaker, kind);
        result.Insights.AddRange(Alignments(recognizer, recordings, features, test));
        result.Histories[kind] = history;
        result.Figures["validation_word_accuracy"] = validationScores.WordAccuracy;
        result.Figures["validation_cer"] = validationScores.CharacterErrorRate;
        result.Figures["validation_speakers"] = validation.Select(i => recordings[i].Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
        result.Lines.Insert(0, $"validation ({string.Join(", ", validation.Select(i => recordings[i].Speaker).Distinct().Order(StringComparer.Ordinal))}): " +
            $"{validationScores.Count} recordings, word accuracy {validationScores.WordAccuracy:P1}, CER {validationScores.CharacterErrorRate:P2}");
        result.Figures["train_examples"] = train.Length;
        result.Figures["validation_examples"] = validation.Length;
        result.Figures["stopped"] = history.StopReason.ToString();
        result.Figures["augment"] = augment;
        result.Figures["vtlp"] = augment && vtlp;
        result.Figures["ctc_weight"] = ctcWeight;
        if (snapshots is not null) result.Figures["averaged_epochs"] = snapshots.Epochs.ToArray();
        result.Figures["train_speakers"] = trainSpeakers;
        string path = options.OutputPath ?? $"{Name}.safetensors";
        var metadata = new Dictionary<string, string>
        {
            ["recognizer"] = kind,
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["test_speaker"] = testSpeaker,
            // the validation speaker's voice shaped the model through early stopping: eval leaves it out like the training speakers
            ["train_speakers"] = string.Join(",", speakers.Where(s => s != testSpeaker)),
            ["letters"] = SpeechRecognizer.Letters,
            ["features"] = mfcc ? "mfcc" : "logmel",
            ["normalise"] = perSpeaker ? "speaker" : "utterance",
            ["sample_rate"] = SampleRate.ToString(CultureInfo.InvariantCulture),
        };
        if (context.WritesFiles) recognizer.Save(path, Name, metadata);
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var model = SpeechRecognizer.Load(saved, SampleRate);
        bool mfcc = SavedFeatures(saved);
        var trainSpeakers = saved.Require("train_speakers").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var all = SpokenDigitRecordings.List(RecordingsFolder(options, context));
        // A training speaker's recordings would flatter the model: only the others are scored.
        var recordings = all.Where(r => !trainSpeakers.Contains(r.Speaker)).ToList();
        if (recordings.Count < all.Count) context.Log($"speech: left out {all.Count - recordings.Count} recordings of the training speakers {string.Join(", ", trainSpeakers.Order())}");
        if (recordings.Count == 0) throw new TaskUsageException($"every recording in the folder is of a training speaker ({string.Join(", ", trainSpeakers.Order())}); nothing unseen to score.");
        var (features, _) = Features(recordings, mfcc, SavedNormalisation(saved));
        var scores = Score(model, recordings, features, Enumerable.Range(0, recordings.Count).ToArray(), Beam(options));
        var result = Report(scores, string.Join(",", recordings.Select(r => r.Speaker).Distinct().Order(StringComparer.Ordinal)), model.Kind);
        result.Insights.AddRange(Alignments(model, recordings, features, Enumerable.Range(0, recordings.Count).ToArray()));
        return result;
    }

    /// <summary>How many recordings the report draws with their spectrogram and best path.</summary>
    private const int AlignmentsShown = 4;

    /// <summary>
    /// The report's pictures: for the first recording of each of a few words among <paramref name="indices"/>, the
    /// log-mel spectrogram (before normalisation) and under it the CTC best path or the speller's attention map.
    /// </summary>
    private static List<SpectrogramAlignment> Alignments(SpeechRecognizer model, IReadOnlyList<SpokenDigitRecording> recordings, FeatureMatrix[] features, int[] indices)
    {
        var alignments = new List<SpectrogramAlignment>();
        foreach (int i in indices.DistinctBy(i => recordings[i].Word).Take(AlignmentsShown))
        {
            var (path, attention, decoded, framesPerOutput) = model.Explain(features[i]);
            var extractor = Extractor(1.0);
            var spectrogram = extractor.Compute(ReadSignal(recordings[i].Path));
            alignments.Add(new SpectrogramAlignment(Path.GetFileName(recordings[i].Path), spectrogram.Values, spectrogram.Frames, spectrogram.Dimensions,
                extractor.HopLength / (double)SampleRate, path, framesPerOutput, decoded, recordings[i].Word, attention));
        }
        return alignments;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var model = SpeechRecognizer.Load(saved, SampleRate);
        bool mfcc = SavedFeatures(saved);
        var paths = inputs.ToArray();
        // A model normalised per speaker reads the given files as one speaker's: their statistics are pooled.
        var raws = SavedNormalisation(saved) ? paths.Select(p => RawFrames(ReadSignal(p), mfcc, 1.0)).ToArray() : null;
        FeatureNormalizer? pooled = raws is { Length: > 0 } ? FeatureNormalizer.Fit(raws) : null;
        for (int i = 0; i < paths.Length; i++)
        {
            var path = paths[i];
            var feature = Normalise(raws?[i] ?? RawFrames(ReadSignal(path), mfcc, 1.0), pooled);
            var text = model.Decode([feature], [0], 1)[0];
            int digit = SpokenDigitRecordings.NearestDigit(text, (a, b) => EditDistance.Between<char>(a, b));
            yield return $"{path}\t{text}\t{digit}";
        }
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

    /// <summary>A true/false task option, <paramref name="fallback"/> when not given.</summary>
    private static bool ParseBool(TaskOptions options, string name, bool fallback) => options.Get(name) switch
    {
        null => fallback,
        "true" => true,
        "false" => false,
        var v => throw new TaskUsageException($"--{name} must be true or false, got '{v}'."),
    };

    private static string ParseModel(string name) => name switch
    {
        "ctc" or "las" => name,
        _ => throw new TaskUsageException($"--model must be ctc (BiLSTM + CTC) or las (listen, attend and spell), got '{name}'."),
    };

    private static int Beam(TaskOptions options) => options.GetPositive("beam", 1);

    /// <summary>--ctc-weight λ of joint CTC-attention training: LAS only, in [0, 1).</summary>
    private static float CtcWeight(TaskOptions options, string kind)
    {
        if (options.Get("ctc-weight") is not { } text) return 0f;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double weight) || !(weight is >= 0 and < 1))
            throw new TaskUsageException($"--ctc-weight must be a number in [0, 1) (the CTC share of the loss), got '{text}'.");
        if (kind != "las" && weight > 0) throw new TaskUsageException("--ctc-weight is for --model las (joint CTC-attention training); a CTC model's loss is all CTC.");
        return (float)weight;
    }

    /// <summary>
    /// The normalised features of every recording (each file read once), by the recording's own statistics or, with
    /// <paramref name="perSpeaker"/> (--normalise speaker), by its speaker's: each speaker's mean and variance over every frame
    /// of their recordings as read (no augmentation), so a voice's and a microphone's constant colouring is removed while the
    /// word's own spectral shape, which per-utterance statistics also subtract, stays. The test speaker's statistics come from
    /// their recordings' audio alone (no labels), as speaker-wise normalisation does at test time. The speakers' normalisers
    /// are returned for the augmented training features (null per utterance).
    /// </summary>
    private static (FeatureMatrix[] Features, Dictionary<string, FeatureNormalizer>? Normalisers) Features(IReadOnlyList<SpokenDigitRecording> recordings, bool mfcc, bool perSpeaker)
    {
        var raw = recordings.Select(r => RawFrames(ReadSignal(r.Path), mfcc, 1.0)).ToArray();
        var normalisers = perSpeaker
            ? Enumerable.Range(0, recordings.Count).GroupBy(i => recordings[i].Speaker, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => FeatureNormalizer.Fit(g.Select(i => raw[i])), StringComparer.Ordinal)
            : null;
        return (raw.Select((f, i) => Normalise(f, Normaliser(normalisers, recordings[i]))).ToArray(), normalisers);
    }

    private static FeatureNormalizer? Normaliser(IReadOnlyDictionary<string, FeatureNormalizer>? normalisers, SpokenDigitRecording recording) =>
        normalisers?[recording.Speaker];

    /// <summary>By <paramref name="normaliser"/> when given, else by the frames' own statistics.</summary>
    private static FeatureMatrix Normalise(FeatureMatrix raw, FeatureNormalizer? normaliser) =>
        normaliser?.Apply(raw) ?? FeatureNormalizer.PerUtterance(raw);

    /// <summary>The samples of an 8 kHz file (this task does not resample: another rate is an error naming the file).</summary>
    private static float[] ReadSignal(string path)
    {
        var audio = WavReader.Read(path);
        if (audio.SampleRate != SampleRate)
            throw new DataFormatException(path, null, $"the sample rate is {audio.SampleRate} Hz; the speech task reads {SampleRate} Hz audio and does not resample");
        return audio.Samples;
    }

    /// <summary>
    /// A training use of a recording: played at a random speed, with VTLP through a filterbank warped by a random factor,
    /// normalised, then masked (SpecAugment), every draw from <paramref name="random"/>.
    /// </summary>
    private static FeatureMatrix Augmented(float[] signal, bool mfcc, bool vtlp, SpecAugment masking, FeatureNormalizer? normaliser, RandomGenerator random)
    {
        double speed = SlowestSpeed + (FastestSpeed - SlowestSpeed) * random.NextDouble();
        double warp = vtlp ? SmallestWarp + (LargestWarp - SmallestWarp) * random.NextDouble() : 1.0;
        return masking.Apply(Normalise(RawFrames(signal, mfcc, speed, warp), normaliser), random);
    }

    private const double SmallestWarp = 0.9, LargestWarp = 1.1;

    /// <summary>
    /// The frames of the signal played at <paramref name="speed"/> through a filterbank warped by <paramref name="warp"/>: log-mel, or
    /// 13 MFCCs with deltas and delta-deltas (39; the cepstrum's low orders keep the spectral envelope and drop the pitch harmonics), not yet normalised.
    /// </summary>
    private static FeatureMatrix RawFrames(float[] samples, bool mfcc, double speed, double warp = 1.0)
    {
        var played = speed == 1.0 ? samples : SpeedPerturbation.Apply(samples, speed);
        var logMel = Extractor(warp).Compute(played);
        return mfcc ? Mfcc.WithDeltas(Mfcc.FromLogMel(logMel)) : logMel;
    }

    /// <summary>Whether a saved model reads MFCCs (a model saved before --features came reads log-mel).</summary>
    private static bool SavedFeatures(SavedModel saved) => saved.Metadata.TryGetValue("features", out var name)
        ? name == "mfcc" || (name == "logmel" ? false : throw new ModelFormatException($"{saved.Path}: unknown features '{name}' (logmel or mfcc)."))
        : false;

    /// <summary>Whether a saved model normalises per speaker (a model saved before --normalise came normalises per utterance).</summary>
    private static bool SavedNormalisation(SavedModel saved) => saved.Metadata.TryGetValue("normalise", out var name)
        ? name == "speaker" || (name == "utterance" ? false : throw new ModelFormatException($"{saved.Path}: unknown normalisation '{name}' (utterance or speaker)."))
        : false;

    private static bool ParseNormalisation(string name) => name switch
    {
        "utterance" => false,
        "speaker" => true,
        _ => throw new TaskUsageException($"--normalise must be utterance (each recording by its own mean and variance) or speaker (by its speaker's), got '{name}'."),
    };

    private static bool ParseFeatures(string name) => name switch
    {
        "logmel" => false,
        "mfcc" => true,
        _ => throw new TaskUsageException($"--features must be logmel (40 log-mel bands) or mfcc (13 MFCCs with deltas), got '{name}'."),
    };

    /// <summary>The extractor of a filterbank warped by <paramref name="warp"/>, rounded to a hundredth (21 filterbanks for VTLP's range, each built once).</summary>
    private static LogMelSpectrogram Extractor(double warp) =>
        Extractors.GetOrAdd((int)Math.Round(warp * 100), hundredths => new LogMelSpectrogram(SampleRate, warp: hundredths / 100.0));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, LogMelSpectrogram> Extractors = new();

    private sealed record Scores(double CharacterErrorRate, double WordAccuracy, double DigitAccuracy, int Count, string[] Examples)
    {
        public IReadOnlyDictionary<string, double> Figures() => new Dictionary<string, double>
        {
            ["cer"] = CharacterErrorRate,
            ["word_accuracy"] = WordAccuracy,
            ["digit_accuracy"] = DigitAccuracy,
        };
    }

    private static Scores Score(SpeechRecognizer model, IReadOnlyList<SpokenDigitRecording> recordings, FeatureMatrix[] features, int[] indices, int beam)
    {
        var decoded = model.Decode(features, indices, beam);
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

    private TaskResult Report(Scores s, string testSpeakers, string kind)
    {
        var result = new TaskResult(Name, "word_accuracy", s.WordAccuracy);
        result.Figures["recognizer"] = kind;
        result.Figures["cer"] = s.CharacterErrorRate;
        result.Figures["digit_accuracy"] = s.DigitAccuracy;
        result.Figures["test_examples"] = s.Count;
        result.Figures["test_speakers"] = testSpeakers;
        result.Lines.Add($"{kind}, test speaker(s) {testSpeakers}: {s.Count} recordings, word accuracy {s.WordAccuracy:P1}, CER {s.CharacterErrorRate:P2}, digit accuracy {s.DigitAccuracy:P1}");
        result.Lines.AddRange(s.Examples);
        return result;
    }
}
