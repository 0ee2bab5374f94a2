using System.Globalization;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.Poetry;

/// <summary>The settings of a poem autoencoder, stored with it so that it can be rebuilt.</summary>
/// <param name="Model">"hierarchical" (<see cref="HierarchicalAutoencoder"/>) or "flat" (<see cref="Seq2Seq"/> over the whole poem).</param>
/// <param name="Vocabulary">Characters, with the reserved ids and the line separator.</param>
/// <param name="EmbeddingSize">Character vector size.</param>
/// <param name="HiddenSize">Width of every recurrent layer.</param>
/// <param name="Cell">The fused cell (lstm, gru, rnn and variants).</param>
/// <param name="Poems">Which poems: "regular" (4 or 8 lines, all of 5 or all of 7 characters) or "all" (up to <paramref name="MaxLines"/> lines).</param>
/// <param name="MaxLines">The most lines a poem may have (and a decoded poem gets).</param>
/// <param name="MaxLineLength">Longer lines are cut to this many characters (counted when read).</param>
public sealed record PoemAutoencoderConfig(string Model, int Vocabulary, int EmbeddingSize, int HiddenSize, string Cell, string Poems, int MaxLines, int MaxLineLength);

/// <summary>
/// The poem autoencoder on the Tang poems of the chinese-poetry database: a poem is a document, a line a sentence, a
/// character a token. <c>--model hierarchical</c> (default) encodes each line to a vector and the line vectors to the poem's
/// vector and decodes back down the same way; <c>--model flat</c> is the sequence autoencoder over the whole poem (lines
/// joined by '/'). A seeded 5% of the poems is held out (5% of the rest chooses the epoch); reported on the held-out poems:
/// teacher-forced token accuracy over characters and line ends (headline) and corpus BLEU-4 over the characters of the
/// greedy reconstructions (lines joined by '/').
/// </summary>
public sealed class PoemAutoencoderTask : ApplicationTask
{
    private static readonly string[] DataFiles = ["text/chinese-poetry/poet.tang.0.json", "text/chinese-poetry/poet.tang.1000.json",
        "text/chinese-poetry/poet.tang.2000.json", "text/chinese-poetry/poet.tang.3000.json", "text/chinese-poetry/poet.tang.4000.json"];

    private const double HeldOutFraction = 0.05;
    private const int EmbeddingSize = 128;
    private const int DefaultMaxLength = 10;
    private const int DefaultNearest = 5;
    private static readonly TrainingDefaults Defaults = new(Epochs: 40, BatchSize: 32, LearningRate: 2e-3, Patience: 4);

    /// <inheritdoc/>
    public override string Name => "poem-autoencoder";

    /// <inheritdoc/>
    public override string Summary => "Tang poems: hierarchical autoencoder (characters -> line vectors -> poem vector -> lines -> characters; --model flat: one sequence); token accuracy and BLEU on a seeded held-out 5%";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        string kind = ParseModel(options.Get("model") ?? "hierarchical");
        string selection = ParsePoems(options.Get("poems") ?? "regular");
        int maxLength = options.GetPositive("max-length", DefaultMaxLength);
        var files = Files(options, context);
        var poems = Read(files, selection, maxLength, options.Strict, context);
        var random = new RandomGenerator(options.Seed);
        var (train, validation, test) = HeldOutSplit.Draw(poems.Count, HeldOutFraction, random, options.Limit);

        // Characters of the training poems (a character first seen in a held-out poem is <unk>), with '/' for the flat model.
        var vocabulary = CharacterVocabulary.Build(string.Concat(train.Select(i => poems[i].Joined + PoemLines.Separator)), withBeginEnd: true);
        var encoded = poems.Select(p => Encode(vocabulary, p.Lines)).ToArray();
        int maxLines = selection == "regular" ? 8 : MaxLinesOfAll;
        var config = new PoemAutoencoderConfig(kind, vocabulary.Count, EmbeddingSize, options.Hidden ?? 256, options.Cell ?? "lstm", selection, maxLines, maxLength);
        if (string.Equals(config.Cell, "jordan", StringComparison.OrdinalIgnoreCase))
            throw new TaskUsageException("poem-autoencoder needs a fused cell (rnn, lstm, gru and their variants), not jordan.");
        // Word dropout (Bowman et al. 2016): the decoder's inputs are dropped with this probability in training, so it must use the code.
        float wordDropout = options.Get("word-dropout") is { } dropping ? float.Parse(dropping, CultureInfo.InvariantCulture) : 0f;
        if (!(wordDropout >= 0f && wordDropout < 1f)) throw new TaskUsageException($"--word-dropout must be in [0, 1), not {wordDropout}.");
        var coder = Build(config, vocabulary, random, wordDropout);
        context.Log($"poem-autoencoder ({kind}{(wordDropout > 0f ? $", word dropout {wordDropout.ToString(CultureInfo.InvariantCulture)}" : "")}): {train.Length} training poems, {validation.Length} validation, {test.Length} held-out; " +
            $"{vocabulary.Count} characters; code vector {coder.CodeSize} numbers; {coder.Network.ParameterCount:N0} parameters");

        var history = Fit(coder, encoded, train, validation, options, random, context);
        var result = Report(coder, vocabulary, poems, encoded, test, kind, context);
        result.Histories[kind] = history;
        result.Figures["train_examples"] = train.Length;
        result.Figures["best_epoch"] = history.BestEpoch;
        result.Figures["stopped"] = history.StopReason.ToString();
        result.Figures["seconds"] = history.Epochs.Sum(e => e.Seconds);

        string path = options.OutputPath ?? $"{Name}.safetensors";
        var metadata = TrainingFiles.Record(files);
        metadata["vocabulary"] = vocabulary.ToJson();
        metadata["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata["limit"] = options.Limit?.ToString(CultureInfo.InvariantCulture) ?? "";
        if (context.WritesFiles) SavedModel.Save(path, Name, coder.Network, config, metadata);
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (coder, vocabulary, config) = Load(saved);
        IReadOnlyList<string> files;
        int[] indices;
        IReadOnlyList<PoemText> poems;
        if (options.DataPath is { } path && File.Exists(path) && TrainingFiles.Fingerprint([path]) != saved.Require(SavedModel.DataFingerprintKey))
        {
            // Another file of the same format: every poem of it that the model's selection keeps.
            files = [path];
            poems = Read(files, config.Poems, config.MaxLineLength, options.Strict, context);
            indices = Enumerable.Range(0, poems.Count).ToArray();
        }
        else
        {
            // The held-out 5% of the poems the model was trained on (the first draw of its seed).
            files = TrainingFiles.Locate(saved, options.DataPath);
            poems = Read(files, config.Poems, config.MaxLineLength, options.Strict, context);
            indices = HeldOutSplit.Draw(poems.Count, HeldOutFraction, new RandomGenerator(int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture)), null).Test;
        }
        var encoded = poems.Select(p => Encode(vocabulary, p.Lines)).ToArray();
        return Report(coder, vocabulary, poems, encoded, indices, config.Model, context);
    }

    /// <summary>Each input poem (lines separated by punctuation or '/'): its reconstruction, its vector and the nearest training poems.</summary>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs) =>
        PredictCodes(saved, inputs, new CodeRequest(Vector: true, Nearest: DefaultNearest));

    /// <inheritdoc/>
    public override IEnumerable<string> PredictCodes(SavedModel saved, IEnumerable<string> inputs, CodeRequest request)
    {
        var (coder, vocabulary, config) = Load(saved);
        var queries = new List<(string Text, int[][] Lines)>();
        foreach (var text in inputs)
        {
            int empty = 0, truncated = 0;
            var lines = PoemLines.Lines(text, config.MaxLineLength, ref empty, ref truncated);
            if (lines.Count == 0) throw new TaskUsageException($"'{text}' has no line to encode (lines are separated by ，。！？； or '/').");
            queries.Add((text, Encode(vocabulary, lines.Take(config.MaxLines).ToList())));
        }
        if (queries.Count == 0) yield break;
        float[][] codes;
        List<int[][]> reconstructions;
        using (new NoGradScope())
        {
            var code = coder.Code(queries.Select(q => q.Lines).ToArray());
            codes = Enumerable.Range(0, queries.Count).Select(b => code.Select(0, b).ToArray()).ToArray();
            reconstructions = coder.DecodeFrom(code);
        }
        List<(int Index, float Similarity)>[]? nearest = null;
        IReadOnlyList<PoemText>? training = null;
        if (request.Nearest > 0) (nearest, training) = Nearest(saved, coder, vocabulary, config, codes, request);
        for (int q = 0; q < queries.Count; q++)
            foreach (var line in CodeListing.Lines(request, queries[q].Text, Text(vocabulary, reconstructions[q]), codes[q],
                nearest?[q].Select(n => (n.Similarity, $"{training![n.Index].Joined}   ({training[n.Index].Poem.Title}, {training[n.Index].Poem.Author})"))))
                yield return line;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> DecodeVectors(SavedModel saved, string vectors)
    {
        var (coder, vocabulary, _) = Load(saved);
        var parsed = CodeVectors.Parse(vectors, coder.CodeSize);
        using var noGrad = new NoGradScope();
        var decoded = coder.DecodeFrom(Tensor.FromRows(parsed.ToArray()));
        return decoded.Select(lines => Text(vocabulary, lines)).ToList();
    }

    /// <summary>The training poems nearest to each query code, by cosine similarity of their codes (computed with this model) centred on the training poems' mean code.</summary>
    private (List<(int Index, float Similarity)>[] Nearest, IReadOnlyList<PoemText> Poems) Nearest(SavedModel saved, PoemCoder coder,
        CharacterVocabulary vocabulary, PoemAutoencoderConfig config, float[][] queries, CodeRequest request)
    {
        var files = TrainingFiles.Locate(saved, request.DataPath);
        var poems = Read(files, config.Poems, config.MaxLineLength, strict: false, TaskContext.Silent);
        var train = HeldOutSplit.Draw(poems.Count, HeldOutFraction, new RandomGenerator(int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture)), saved.RequireOptionalInt("limit")).Train;
        var nearest = NearestCodes.Search(queries, request.Nearest, train, batch => coder.Code(batch.Select(i => Encode(vocabulary, poems[i].Lines)).ToArray()), centred: true);
        return (nearest, poems);
    }

    /// <summary>A poem's lines as text, joined by '/'.</summary>
    private static string Text(CharacterVocabulary vocabulary, int[][] lines) => string.Join(PoemLines.Separator, lines.Select(l => vocabulary.Decode(l)));

    private static int[][] Encode(CharacterVocabulary vocabulary, IReadOnlyList<string> lines) => lines.Select(l => vocabulary.Encode(l)).ToArray();

    /// <summary>"all" keeps poems of up to this many lines.</summary>
    private const int MaxLinesOfAll = 8;

    /// <summary>
    /// The poems of the files cut into lines (empty lines skipped, long ones cut, both counted and printed) and the
    /// selection: regular 4- or 8-line poems of 5- or 7-character lines, or all of up to 8 lines.
    /// </summary>
    private static List<PoemText> Read(IReadOnlyList<string> files, string selection, int maxLength, bool strict, TaskContext context)
    {
        var poems = new List<Poem>();
        foreach (var file in files) poems.AddRange(TaskData.Records(ChinesePoetryReader.Read(file, strict), context));
        var split = PoemLines.Split(poems, maxLength);
        var kept = split.Poems.Where(p => selection == "regular"
            ? p.Lines.Count is 4 or 8 && p.Lines.All(l => l.Length == p.Lines[0].Length) && p.Lines[0].Length is 5 or 7
            : p.Lines.Count <= MaxLinesOfAll).ToList();
        context.Log($"poem-autoencoder: {poems.Count} poems in {files.Count} file{(files.Count == 1 ? "" : "s")}; {split.EmptyLines} empty lines skipped, " +
            $"{split.Truncated} lines longer than {maxLength} characters truncated, {split.EmptyPoems} poems without a line skipped; " +
            $"{kept.Count} kept ({(selection == "regular" ? "regular: 4 or 8 lines, all of 5 or all of 7 characters" : $"all of at most {MaxLinesOfAll} lines")})");
        if (kept.Count < 2) throw new TaskUsageException($"poem-autoencoder: {kept.Count} poem{(kept.Count == 1 ? "" : "s")} left after the selection; nothing to train on and hold out.");
        return kept;
    }

    /// <summary>The data files: --data FILE (one chinese-poetry JSON file), else the five 全唐诗 files of the data folder.</summary>
    private static IReadOnlyList<string> Files(TaskOptions options, TaskContext context) =>
        options.DataPath is { } path && File.Exists(path) ? [path] : DataFiles.Select(f => TaskData.Resolve(options, context, f)).ToArray();

    private static string ParseModel(string value) => value.ToLowerInvariant() switch
    {
        "hierarchical" => "hierarchical",
        "flat" => "flat",
        _ => throw new TaskUsageException($"--model must be hierarchical or flat, not '{value}'."),
    };

    private static string ParsePoems(string value) => value.ToLowerInvariant() switch
    {
        "regular" => "regular",
        "all" => "all",
        _ => throw new TaskUsageException($"--poems must be regular or all, not '{value}'."),
    };

    /// <summary>The coder of a configuration; <paramref name="wordDropout"/> (training only) drops the decoder's inputs.</summary>
    private static PoemCoder Build(PoemAutoencoderConfig config, CharacterVocabulary vocabulary, RandomGenerator? random = null, float wordDropout = 0f)
    {
        var cell = CellSpec.Parse(config.Cell);
        int begin = vocabulary.Tokens.BeginId, end = vocabulary.Tokens.EndId;
        if (config.Model == "hierarchical")
            return new HierarchicalPoemCoder(new HierarchicalAutoencoder(config.Vocabulary, config.EmbeddingSize, config.HiddenSize, cell, begin, end, Vocabulary.PadId, random),
                config.MaxLines, config.MaxLineLength, wordDropout, random);
        int separator = vocabulary.IdOf(System.Text.Rune.GetRuneAt(PoemLines.Separator, 0));
        var flat = new Seq2Seq(config.Vocabulary, config.Vocabulary, config.EmbeddingSize, config.HiddenSize, cell, beginId: begin, endId: end,
            paddingId: Vocabulary.PadId, random: random);
        return new FlatPoemCoder(flat, separator, config.MaxLines, config.MaxLineLength, wordDropout, random);
    }

    /// <summary>Training on the mean cross-entropy per position, keeping the epoch with the best validation token accuracy.</summary>
    private TrainingHistory Fit(PoemCoder coder, int[][][] encoded, int[] train, int[] validation, TaskOptions options, RandomGenerator random, TaskContext context)
    {
        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(coder.Network, random, options, Defaults, context,
            batch => new(coder.Loss(batch.Select(i => encoded[i]).ToArray()), batch.Length),
            monitor: validation.Length > 0 ? new MetricMonitor("token_accuracy", Maximize: true, Defaults.Patience) : null);
        var lengths = train.Select(i => encoded[i].Sum(l => l.Length + 1)).ToArray();
        return trainer.Fit(
            r => BatchOrder.Bucketed(lengths, batchSize, bucketBatches: 20, r).Select(b => b.Select(i => train[i]).ToArray()).ToArray(),
            validation.Length == 0 ? null : () =>
            {
                var (accuracy, loss) = TokenAccuracy(coder, encoded, validation);
                return new Dictionary<string, double> { ["token_accuracy"] = accuracy, ["loss"] = loss };
            },
            context.ProgressFor(Name), context.Cancellation);
    }

    private static (double Accuracy, double Loss) TokenAccuracy(PoemCoder coder, int[][][] encoded, int[] indices)
    {
        using var evaluating = coder.Network.Evaluating();
        using var noGrad = new NoGradScope();
        long right = 0, positions = 0;
        double loss = 0;
        foreach (var batch in BatchOrder.Sequential(indices.Length, 128))
        {
            var score = coder.Score(batch.Select(i => encoded[indices[i]]).ToArray());
            right += score.Right;
            positions += score.Positions;
            loss += score.LossSum;
        }
        return ((double)right / Math.Max(1, positions), loss / Math.Max(1, positions));
    }

    private TaskResult Report(PoemCoder coder, CharacterVocabulary vocabulary, IReadOnlyList<PoemText> poems, int[][][] encoded, int[] indices, string kind, TaskContext context)
    {
        context.Log($"poem-autoencoder: scoring {indices.Length} held-out poems (greedy decoding)");
        var (accuracy, loss) = TokenAccuracy(coder, encoded, indices);
        var decoded = new List<int[][]>();
        using (coder.Network.Evaluating())
            foreach (var batch in BatchOrder.Sequential(indices.Length, 128))
                decoded.AddRange(coder.Reconstruct(batch.Select(i => encoded[indices[i]]).ToArray()));
        var hypotheses = decoded.Select(d => Text(vocabulary, d)).ToArray();
        var references = indices.Select(i => poems[i].Joined).ToArray();
        var bleu = Bleu.Corpus(hypotheses.Select((h, k) => ((IReadOnlyList<string>)Characters(h), (IReadOnlyList<string>)Characters(references[k]))));
        int exact = hypotheses.Where((h, k) => h == references[k]).Count();
        int rightLines = decoded.Where((d, k) => d.Length == encoded[indices[k]].Length).Count();

        var result = new TaskResult(Name, "token_accuracy", accuracy);
        result.Figures["bleu"] = bleu.Score;
        result.Figures["bleu_precisions"] = bleu.Precisions;
        result.Figures["brevity_penalty"] = bleu.BrevityPenalty;
        result.Figures["exact_match"] = (double)exact / indices.Length;
        result.Figures["line_count_accuracy"] = (double)rightLines / indices.Length;
        result.Figures["loss"] = loss;
        result.Figures["autoencoder"] = kind;
        result.Figures["code_size"] = coder.CodeSize;
        result.Figures["test_examples"] = indices.Length;
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {indices.Length} held-out poems; token accuracy {accuracy:F4}, BLEU-4 {bleu.Score:F2} (character n-gram precisions {string.Join(" / ", bleu.Precisions.Select(p => p.ToString("F3", CultureInfo.InvariantCulture)))}, brevity penalty {bleu.BrevityPenalty:F3}), " +
            $"right number of lines {(double)rightLines / indices.Length:F3}, exact {(double)exact / indices.Length:F3}"));
        foreach (var (i, k) in indices.Select((i, k) => (i, k)).Take(6))
            result.Lines.Add($"  {poems[i].Joined} → {hypotheses[k]}");
        return result;
    }

    /// <summary>The characters of a text as one-character strings (the BLEU tokens; '/' between lines counts as one).</summary>
    private static string[] Characters(string text) => text.EnumerateRunes().Select(r => r.ToString()).ToArray();

    /// <inheritdoc/>
    public override Module LoadNetwork(SavedModel model) => Load(model).Coder.Network;

    private (PoemCoder Coder, CharacterVocabulary Vocabulary, PoemAutoencoderConfig Config) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var config = saved.Config<PoemAutoencoderConfig>();
        var vocabulary = CharacterVocabulary.FromJson(saved.Require("vocabulary"), saved.Path);
        var coder = Build(config with { Model = ParseModel(config.Model) }, vocabulary);
        saved.LoadInto(coder.Network);
        coder.Network.Eval();
        return (coder, vocabulary, config);
    }
}
