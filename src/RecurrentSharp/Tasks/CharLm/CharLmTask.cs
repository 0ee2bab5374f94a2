using System.Globalization;
using System.Text;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Distributed;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.CharLm;

/// <summary>
/// A character-level language model (char-rnn, Karpathy 2015) on any UTF-8 text file: a Unicode character
/// (code point) is the unit, the last 10% of the text is the validation part, and training is truncated
/// BPTT over the text cut into parallel streams (the state is carried from window to window and detached).
/// Built-in corpora: tiny shakespeare (default), the Jay Chou lyrics, the Tang poems (chinese-poetry JSON).
/// </summary>
public sealed class CharLmTask : ApplicationTask
{
    /// <summary>The corpora chosen with <c>--text</c> when <c>--data</c> gives no file.</summary>
    private static readonly Dictionary<string, string[]> Corpora = new(StringComparer.OrdinalIgnoreCase)
    {
        ["shakespeare"] = ["text/tinyshakespeare/input.txt"],
        ["jaychou"] = ["text/jaychou_lyrics/jaychou_lyrics.txt"],
        ["tang"] = ["text/chinese-poetry/poet.tang.0.json", "text/chinese-poetry/poet.tang.1000.json", "text/chinese-poetry/poet.tang.2000.json",
            "text/chinese-poetry/poet.tang.3000.json", "text/chinese-poetry/poet.tang.4000.json"],
    };

    private const double ValidationFraction = 0.1;
    private const int ValidationStreams = 32;
    private const int DefaultWindow = 100;
    private static readonly TrainingDefaults Defaults = new(Epochs: 7, BatchSize: 64, LearningRate: 2e-3, Clip: 5.0);

    /// <inheritdoc/>
    public override string Name => "charlm";

    /// <inheritdoc/>
    public override string Summary => "Character-level LSTM language model on any UTF-8 text (tiny shakespeare by default; --text jaychou|tang); target <= 1.60 nats/char on the last 10%";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        var (source, text) = ReadCorpus(options, context);
        string used = options.Limit is { } n ? Prefix(text, Math.Max(0, n)) : text;
        int length = used.EnumerateRunes().Count();
        if (length < 40) throw new TaskUsageException($"The text has {length} characters; a language model needs at least 40 (10% of them for validation).");
        int split = SlidingWindows.SplitPoint(length, ValidationFraction);
        // The vocabulary holds the characters of the training part only: a character first seen in the
        // validation part (or in another file at eval) is encoded as <unk> and scored as <unk>.
        var vocabulary = CharacterVocabulary.Build(Prefix(used, split));
        int[] ids = vocabulary.Encode(used);
        int[] train = ids[..split], validation = ids[split..];

        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        int window = options.GetPositive("window", DefaultWindow);
        int epochs = options.Epochs ?? Defaults.Epochs;
        var random = new RandomGenerator(options.Seed);
        var config = new CharLanguageModelConfig(vocabulary.Count, EmbeddingSize: 64, HiddenSize: options.Hidden ?? 512, Cell: options.Cell ?? "lstm",
            Layers: options.Layers ?? 1, Dropout: options.Dropout ?? 0f);
        var model = new CharLanguageModel(config, random);
        var batches = new TruncatedBpttBatches(train, Math.Min(batchSize, Math.Max(1, train.Length / 2)), window);
        context.Log($"charlm: {source}: {train.Length:N0} training, {validation.Length:N0} validation characters; vocabulary {vocabulary.Count}; " +
            $"{batches.BatchSize} streams x {batches.StepsPerStream:N0} steps, {batches.WindowCount} windows of {window} per epoch; {model.ParameterCount:N0} parameters");

        // Cosine decay from lr to lr/10, one step per epoch, reaching lr/10 in the last epoch.
        // Data-parallel: each rank trains its own share of the streams (and carries their state).
        if (context.DataParallel is { } parallel && batches.BatchSize < parallel.Size)
            throw new TaskUsageException($"charlm --distributed: {batches.BatchSize} streams (--batch) cannot be shared by {parallel.Size} ranks; give at least one stream per rank.");
        var (firstStream, streams) = context.DataParallel?.ShareOf(batches.BatchSize) ?? (0, batches.BatchSize);
        var trainer = TaskTrainer.Create<int>(model, random, options, Defaults, context, w =>
        {
            var batch = batches.Window(w, firstStream, streams);
            var loss = Losses.CrossEntropy(model.Forward(batch.Inputs, batch.Length, batch.BatchSize), batch.Targets);
            return new(loss, batch.Targets.Length);
        }, monitor: new MetricMonitor("loss", Maximize: false), epochs: epochs,
            schedule: (optimizer, total, lr) => new CosineAnnealingLR(optimizer, tMax: Math.Max(1, total - 1), etaMin: lr / 10),
            shard: w => w);
        var history = trainer.Fit(
            _ =>
            {
                // Windows in text order (never shuffled: window w+1 continues window w); each epoch starts from a zero state.
                model.ResetState();
                return Enumerable.Range(0, batches.WindowCount).ToArray();
            },
            () => Figures(MeanNats(model, validation, window, context.DataParallel)),
            context.ProgressFor(Name), context.Cancellation);
        if (history.Message is not null) context.Log(history.Message);

        var result = Report(MeanNats(model, validation, window, context.DataParallel));
        result.Histories[config.Cell] = history;
        result.Figures["train_chars"] = train.Length;
        result.Figures["vocabulary"] = vocabulary.Count;
        result.Figures["epochs"] = history.Epochs.Count;
        result.Figures["seconds"] = history.Epochs.Sum(e => e.Seconds);
        result.Figures["corpus"] = source;
        result.Figures["stopped"] = history.StopReason.ToString();
        // The reported loss is on the validation part the best epoch was selected on (and its weights restored),
        // so it is slightly optimistic: there is no separate test part.
        result.Figures["selected_on"] = "validation";
        result.Figures["best_epoch"] = history.BestEpoch;
        result.Lines.Add($"(the best epoch, {history.BestEpoch}, was selected on this same validation loss)");
        string sample = GenerateText(model, vocabulary, new GenerationOptions("", 200, 0.8, options.Seed));
        result.Lines.Add("sample (temperature 0.8):");
        result.Lines.AddRange(sample.Split('\n'));

        string path = options.OutputPath ?? $"{Name}.safetensors";
        if (context.WritesFiles) SavedModel.Save(path, Name, model, config, new Dictionary<string, string>
        {
            ["vocabulary"] = vocabulary.ToJson(),
            ["corpus"] = source,
            ["limit"] = options.Limit?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["window"] = window.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            [SavedModel.DataFingerprintKey] = Fingerprint(text),
        });
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, vocabulary) = Load(saved);
        int window = saved.RequireInt("window", minimum: 1);
        int? limit = saved.RequireOptionalInt("limit");
        int[] ids;
        string source;
        if (options.DataPath is { } path && File.Exists(path))
        {
            (source, var text) = ReadCorpus(options, context);
            ids = vocabulary.Encode(text);
            if (saved.WasTrainedOn(Fingerprint(text)))
            {
                // The very text the model was trained on: score its validation part only, never the training part.
                context.Log($"{path} is the text this model was trained on: evaluating its validation part (the last 10%)");
                ids = ValidationPart(ids, limit);
            }
            // Otherwise every character of the given file.
            if (ids.Length < 2) throw new DataFormatException(path, null, "holds fewer than 2 characters: nothing to predict");
        }
        else
        {
            // The validation part (last 10%) of the corpus the model was trained on.
            source = saved.Require("corpus");
            ids = ValidationPart(vocabulary.Encode(ReadCorpusOf(source, options, context)), limit);
        }
        var result = Report(MeanNats(model, ids, window));
        result.Figures["corpus"] = source;
        result.Figures["unknown_chars"] = ids.Count(id => id == Vocabulary.UnknownId);
        return result;
    }

    /// <inheritdoc/>
    public override string Generate(SavedModel saved, GenerationOptions options)
    {
        var (model, vocabulary) = Load(saved);
        return GenerateText(model, vocabulary, options);
    }

    /// <summary>The prime followed by sampled characters; an empty prime starts after a newline (or the most frequent character).</summary>
    private static string GenerateText(CharLanguageModel model, CharacterVocabulary vocabulary, GenerationOptions options)
    {
        int[] prime = vocabulary.Encode(options.Prime);
        if (prime.Length == 0)
        {
            int newline = vocabulary.IdOf(new Rune('\n'));
            prime = [newline != Vocabulary.UnknownId ? newline : vocabulary.Tokens.SpecialCount];
        }
        var reserved = Enumerable.Range(0, vocabulary.Tokens.SpecialCount).ToHashSet();
        var sampled = model.Sample(prime, options.Length, options.Temperature, new RandomGenerator(options.Seed), reserved);
        return options.Prime + vocabulary.Decode(sampled);
    }

    /// <summary>
    /// The mean negative log-likelihood −(1/N) Σ log p(x_(t+1) | x_≤t) in nats per character over
    /// <paramref name="ids"/>, read as up to 32 parallel streams (each from a zero state) in windows. Data-parallel,
    /// each rank reads its share of the streams and the sums are added over the ranks.
    /// </summary>
    private static double MeanNats(CharLanguageModel model, int[] ids, int window, DataParallel? parallel = null)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var batches = new TruncatedBpttBatches(ids, Math.Max(1, Math.Min(ValidationStreams, ids.Length / 2)), window);
        var (firstStream, streams) = parallel?.ShareOf(batches.BatchSize) ?? (0, batches.BatchSize);
        model.ResetState();
        Span<double> totals = [0, 0];   // Σ nats, characters
        for (int w = 0; w < batches.WindowCount && streams > 0; w++)
        {
            var batch = batches.Window(w, firstStream, streams);
            var logits = model.Forward(batch.Inputs, batch.Length, batch.BatchSize);
            totals[0] += Losses.CrossEntropy(logits, batch.Targets, reduction: Reduction.Sum).Item();
            totals[1] += batch.Targets.Length;
        }
        model.ResetState();
        parallel?.Sum(totals, "the validation sums", parallel.Steps);
        return totals[0] / Math.Max(1, totals[1]);
    }

    /// <summary>Loss in nats, bits per character (nats / ln 2) and perplexity (e^nats).</summary>
    private static Dictionary<string, double> Figures(double nats) => new()
    {
        ["loss"] = nats,
        ["bits_per_char"] = LanguageModelMetrics.BitsPerCharacter(nats),
        ["perplexity"] = LanguageModelMetrics.Perplexity(nats),
    };

    private TaskResult Report(double nats)
    {
        var result = new TaskResult(Name, "val_loss_nats", nats);
        foreach (var (key, value) in Figures(nats))
            if (key != "loss") result.Figures[key] = value;
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"validation: {nats:F4} nats/char, {LanguageModelMetrics.BitsPerCharacter(nats):F4} bits/char, perplexity {LanguageModelMetrics.Perplexity(nats):F3}"));
        return result;
    }

    /// <summary>The first <paramref name="count"/> characters (code points) of <paramref name="text"/>.</summary>
    private static string Prefix(string text, int count)
    {
        int units = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (count-- <= 0) break;
            units += rune.Utf16SequenceLength;
        }
        return text[..units];
    }

    /// <summary>The validation part of a text's ids as in training: the last 10% of its first <paramref name="limit"/> characters.</summary>
    private static int[] ValidationPart(int[] ids, int? limit)
    {
        if (limit is { } n) ids = ids[..Math.Min(ids.Length, Math.Max(0, n))];
        return ids[SlidingWindows.SplitPoint(ids.Length, ValidationFraction)..];
    }

    /// <summary>SHA-256 of the text (UTF-8): recognizes the training text however the file is named or placed.</summary>
    private static string Fingerprint(string text) => SavedModel.Fingerprint(Encoding.UTF8.GetBytes(text));



    /// <summary>The corpus: the file given by --data, else the --text corpus (shakespeare by default). Returns its name and text.</summary>
    private static (string Source, string Text) ReadCorpus(TaskOptions options, TaskContext context)
    {
        if (options.DataPath is { } path && File.Exists(path)) return (Path.GetFullPath(path), ReadFile(path, options, context));
        string name = options.Get("text") ?? "shakespeare";
        if (!Corpora.ContainsKey(name))
            throw new TaskUsageException($"Unknown --text '{name}'. Known corpora: {string.Join(", ", Corpora.Keys)}; or give any UTF-8 file with --data FILE.");
        return (name.ToLowerInvariant(), ReadCorpusOf(name, options, context));
    }

    /// <summary>The text of a built-in corpus by name, or of a file by path.</summary>
    private static string ReadCorpusOf(string source, TaskOptions options, TaskContext context)
    {
        if (!Corpora.TryGetValue(source, out var files))
            return File.Exists(source) ? ReadFile(source, options, context)
                : throw new TaskUsageException($"The model was trained on {source}, which does not exist here; give a text file with --data FILE.");
        // Only a folder given with --data is a data root; a file was handled by the caller.
        var rootOptions = options.DataPath is { } p && File.Exists(p) ? options with { DataPath = null } : options;
        return string.Concat(files.Select(f => ReadFile(TaskData.Resolve(rootOptions, context, f), options, context)));
    }

    /// <summary>A UTF-8 text file, or a chinese-poetry JSON file (one poem per line).</summary>
    private static string ReadFile(string path, TaskOptions options, TaskContext context)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ChinesePoetryReader.ToTrainingText(TaskData.Records(ChinesePoetryReader.Read(path, options.Strict), context));
        var corpus = TextCorpusReader.Read(path, options.Strict);
        foreach (var skipped in corpus.Skipped) context.Log($"skipped {skipped}");
        return corpus.Text;
    }

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (CharLanguageModel Model, CharacterVocabulary Vocabulary) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var model = new CharLanguageModel(saved.Config<CharLanguageModelConfig>());
        saved.LoadInto(model);
        model.Eval();
        return (model, CharacterVocabulary.FromJson(saved.Require("vocabulary"), saved.Path));
    }
}
