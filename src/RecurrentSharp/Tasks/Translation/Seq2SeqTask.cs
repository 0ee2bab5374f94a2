using System.Globalization;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tasks.Translation;

/// <summary>The settings of a seq2seq task model, stored with it so that it can be rebuilt.</summary>
/// <param name="Mode">"translate" (English words → Chinese characters) or "autoencode" (Chinese characters → the same characters).</param>
/// <param name="SourceVocabulary">Source vocabulary size.</param>
/// <param name="TargetVocabulary">Target vocabulary size (characters, with &lt;bos&gt; and &lt;eos&gt;).</param>
/// <param name="EmbeddingSize">Token vector size on both sides.</param>
/// <param name="HiddenSize">Encoder hidden size (per direction); the decoder's is the same times the encoder's directions.</param>
/// <param name="Cell">The cell of encoder and decoder (a fused cell: rnn, lstm, gru, ...).</param>
/// <param name="Layers">Layers of encoder and of decoder.</param>
/// <param name="Bidirectional">Bidirectional encoder.</param>
/// <param name="Dropout">Dropout between stacked layers.</param>
/// <param name="ReverseSource">The encoder reads the source backwards (Sutskever et al. 2014): the first source tokens are then the
/// last read, right before the decoder writes the first target tokens, so the shortest dependencies come first.</param>
/// <param name="Attention">The decoder's attention: "none", "bahdanau", or "luong" (general score), "luong-dot", "luong-concat"
/// (models saved before attention existed read as "none").</param>
/// <param name="InputFeeding">Luong's input feeding (the previous attentional state joins the decoder input).</param>
public sealed record Seq2SeqTaskConfig(string Mode, int SourceVocabulary, int TargetVocabulary, int EmbeddingSize, int HiddenSize,
    string Cell, int Layers, bool Bidirectional, float Dropout, bool ReverseSource = true, string Attention = "none", bool InputFeeding = false);

/// <summary>
/// Encoder-decoder on the Tatoeba English–Mandarin pairs (<c>cmn.txt</c>), with a Chinese character as the
/// target unit. <c>--mode translate</c> (default) reads English words and writes Chinese; <c>--mode autoencode</c>
/// is the sequence autoencoder: it reads the Chinese sentence and must reproduce it, so the encoder's final
/// state is a fixed-size embedding of the sentence. Trained with teacher forcing on a seeded 95% (5% of
/// that held out for choosing the epoch); reported on the seeded held-out 5%: teacher-forced token
/// accuracy (headline) and corpus BLEU-4 over characters of greedy (or <c>--beam K</c>) decoding.
/// </summary>
public sealed class Seq2SeqTask : ApplicationTask
{
    private const string DataFile = "seq2seq/cmn.txt";
    private const double HeldOutFraction = 0.05;
    private const int EmbeddingSize = 128;
    private const int MaxTrainSourceTokens = 30;   // longer training pairs are left out (a few dozen of 20k)
    private const int MaxTrainTargetCharacters = 40;
    private static readonly TrainingDefaults Defaults = new(Epochs: 20, BatchSize: 64, LearningRate: 2e-3, Patience: 3);

    /// <inheritdoc/>
    public override string Name => "seq2seq";

    /// <inheritdoc/>
    public override string Summary => "English-Mandarin pairs: LSTM encoder-decoder to Chinese characters (--mode translate) or the seq2seq autoencoder (--mode autoencode); token accuracy and BLEU on a seeded held-out 5%";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        string mode = ParseMode(options.Get("mode") ?? "translate");
        string dataPath = TaskData.ResolveFileOrDefault(options, context, DataFile);
        bool plainText = mode == "autoencode" && PlainSentenceReader.IsPlainText(dataPath);
        var pairs = Read(dataPath, mode, options, context);
        var random = new RandomGenerator(options.Seed);
        var (train, validation, test) = HeldOutSplit.Draw(pairs.Count, HeldOutFraction, random, options.Limit);

        // The target side: the characters of the training targets, with <bos> and <eos> for the decoder.
        var target = CharacterVocabulary.Build(string.Concat(train.Select(i => pairs[i].Target)), withBeginEnd: true);
        // The source side: English words seen at least twice (rarer ones become <unk>, which so gets trained),
        // or, for the autoencoder, the target's own characters.
        var source = mode == "translate"
            ? new SourceSide(Vocabulary.Build(train.Select(i => WordTokenizer.Tokenize(pairs[i].Source)), minCount: 2), null)
            : new SourceSide(null, target);

        string cell = options.Cell ?? "lstm";
        if (string.Equals(cell, "jordan", StringComparison.OrdinalIgnoreCase))
            throw new TaskUsageException("seq2seq needs a fused cell (rnn, lstm, gru and their variants), not jordan.");
        // Attention by default for translation (Luong: measured to cost 1.03x of no attention per step, Bahdanau 1.73x); the autoencoder's point is its one-vector bottleneck.
        string attention = ParseAttention(options.Get("attention") ?? (mode == "translate" ? "luong" : "none")).Name;
        bool inputFeeding = options.Get("input-feeding") is { } feeding && bool.Parse(feeding);
        // Without attention the encoder reads the source backwards (Sutskever et al. 2014), so the first source words sit
        // next to the decoder's start; with attention the decoder can look at any position, and reading forwards keeps
        // each encoder output beside the words it has just read (Bahdanau et al. 2015; Luong et al. 2015).
        bool reverseSource = options.Get("reverse-source") is { } reverse ? bool.Parse(reverse) : attention == "none";
        var sides = new Sides(mode, source, target, reverseSource);
        var examples = pairs.Select(p => sides.Encode(p)).ToArray();
        int before = train.Length;
        train = Trainable(examples, train, plainText);
        validation = validation.Where(i => examples[i].Source.Length > 0).ToArray();
        if (inputFeeding && !attention.StartsWith("luong", StringComparison.Ordinal))
            throw new TaskUsageException($"--input-feeding belongs to Luong attention, not --attention {attention}.");
        var config = new Seq2SeqTaskConfig(mode, source.Count, target.Count, EmbeddingSize, options.Hidden ?? 256, cell,
            options.Layers ?? 2, options.Bidirectional ?? false, options.Dropout ?? 0.3f, sides.ReverseSource, attention, inputFeeding);
        var model = Build(config, target, random);
        context.Log($"seq2seq ({mode}, attention {attention}{(inputFeeding ? " with input feeding" : "")}): {train.Length} training pairs ({before - train.Length} empty or longer than {MaxTrainSourceTokens} source tokens or {MaxTrainTargetCharacters} characters left out), " +
            $"{validation.Length} validation, {test.Length} held-out; source vocabulary {source.Count}, target characters {target.Count}");

        var history = Fit(model, examples, train, validation, options, random, context);
        var result = Report(model, sides, pairs, examples, test, options.GetPositive("beam", 1), context);
        result.Histories[cell] = history;
        result.Figures["train_examples"] = train.Length;
        result.Figures["best_epoch"] = history.BestEpoch;
        result.Figures["stopped"] = history.StopReason.ToString();

        string path = options.OutputPath ?? $"{Name}.safetensors";
        // The data file's path and SHA-256, the limit and the line length: --nearest reads the training sentences again.
        var metadata = TrainingFiles.Record([dataPath]);
        metadata["source_vocabulary"] = source.Words?.ToJson() ?? "";
        metadata["target_vocabulary"] = target.ToJson();
        metadata["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture);
        metadata["limit"] = options.Limit?.ToString(CultureInfo.InvariantCulture) ?? "";
        metadata["max_length"] = options.GetPositive("max-length", MaxTrainTargetCharacters).ToString(CultureInfo.InvariantCulture);
        metadata["plain_text"] = plainText ? Path.GetFileName(dataPath) : "";
        if (context.WritesFiles) SavedModel.Save(path, Name, model, config, metadata);
        result.ModelPath = path;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, sides) = Load(saved);
        IReadOnlyList<SentencePair> pairs;
        int[] indices;
        if (options.DataPath is { } path && File.Exists(path))
        {
            pairs = Read(path, sides.Mode, options, context);
            indices = Enumerable.Range(0, pairs.Count).ToArray();
        }
        else if (saved.Metadata.GetValueOrDefault("plain_text", "") is { Length: > 0 } plain)
            throw new TaskUsageException($"Model {saved.Path} was trained on the plain text {plain}; evaluate it with --data FILE (every line of FILE is scored).");
        else
        {
            // The held-out 5% of the split the model was trained with (the first draw of its seed).
            pairs = Read(TaskData.Resolve(options, context, DataFile), sides.Mode, options, context);
            int seed = int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture);
            indices = DataSplit.Random(pairs.Count, HeldOutFraction, new RandomGenerator(seed)).Evaluate;
        }
        var examples = pairs.Select(p => sides.Encode(p)).ToArray();
        return Report(model, sides, pairs, examples, indices, options.GetPositive("beam", 1), context);
    }

    /// <summary>
    /// translate: one line of Chinese per English input line. autoencode: the reconstruction of each Chinese
    /// input line, a TAB, and the sentence's embedding (the encoder's final hidden state) as numbers.
    /// </summary>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, sides) = Load(saved);
        foreach (var text in inputs)
        {
            var ids = sides.EncodeSource(text);
            if (ids.Length == 0)
            {
                yield return "";
                continue;
            }
            var tokens = PaddedSequences.FromSequences([ids]);
            string output = sides.Target.Decode(model.GreedyDecode(tokens, MaxDecodeLength(ids.Length)).Single());
            if (sides.Mode == "translate")
            {
                yield return output;
                continue;
            }
            using var noGrad = new NoGradScope();
            var embedding = model.Embed(tokens).ToArray();
            yield return output + "\t" + string.Join(' ', embedding.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<string> PredictCodes(SavedModel saved, IEnumerable<string> inputs, CodeRequest request)
    {
        var (model, sides) = Autoencoder(saved);
        var queries = new List<(string Text, int[] Ids)>();
        foreach (var text in inputs)
        {
            var ids = sides.EncodeSource(text);
            if (ids.Length == 0) throw new TaskUsageException($"'{text}' has no character to encode.");
            queries.Add((text, ids));
        }
        if (queries.Count == 0) yield break;
        float[][] codes;
        List<int[]> reconstructions;
        using (new NoGradScope())
        {
            var code = model.Code(PaddedSequences.FromSequences(queries.Select(q => (IReadOnlyList<int>)q.Ids).ToArray()));
            codes = Enumerable.Range(0, queries.Count).Select(b => code.Select(0, b).ToArray()).ToArray();
            reconstructions = model.DecodeFrom(code, MaxCodeDecodeLength);
        }
        List<(int Index, float Similarity)>[]? nearest = null;
        IReadOnlyList<SentencePair>? training = null;
        if (request.Nearest > 0) (nearest, training) = Nearest(saved, model, sides, codes, request);
        for (int q = 0; q < queries.Count; q++)
            foreach (var line in CodeListing.Lines(request, queries[q].Text, sides.Target.Decode(reconstructions[q]), codes[q],
                nearest?[q].Select(n => (n.Similarity, training![n.Index].Target))))
                yield return line;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> DecodeVectors(SavedModel saved, string vectors)
    {
        var (model, sides) = Autoencoder(saved);
        int width = (model.Cell.HasCellState ? 2 : 1) * model.Decoder.NumLayers * model.Decoder.HiddenSize;
        var parsed = CodeVectors.Parse(vectors, width);
        using var noGrad = new NoGradScope();
        return model.DecodeFrom(Tensor.FromRows(parsed.ToArray()), MaxCodeDecodeLength).Select(ids => sides.Target.Decode(ids)).ToList();
    }

    /// <summary>The model of an autoencoder file; translation models are refused (their vectors are not of the text they print).</summary>
    private (Seq2Seq Model, Sides Sides) Autoencoder(SavedModel saved)
    {
        var loaded = Load(saved);
        if (loaded.Sides.Mode != "autoencode")
            throw new TaskUsageException($"Model {saved.Path} translates; --vector, --nearest and --decode-vector belong to the sequence autoencoder (rnn train seq2seq --mode autoencode).");
        if (loaded.Model.Attention is not null)
            throw new TaskUsageException($"Model {saved.Path} attends over its source, so its decoder does not start from one vector; train the autoencoder with --attention none (its default).");
        return loaded;
    }

    /// <summary>
    /// The training sentences nearest to each query code: the data file is read again (where the model recorded it, or
    /// --data; its SHA-256 must match), split with the model's seed and limit, and every training sentence encoded; codes are centred on the training mean.
    /// </summary>
    private (List<(int Index, float Similarity)>[] Nearest, IReadOnlyList<SentencePair> Pairs) Nearest(SavedModel saved, Seq2Seq model, Sides sides,
        float[][] queries, CodeRequest request)
    {
        string file = TrainingFiles.Locate(saved, request.DataPath).Single();
        var readOptions = new TaskOptions { Extra = new Dictionary<string, string> { ["max-length"] = saved.Require("max_length") } };
        var pairs = Read(file, sides.Mode, readOptions, TaskContext.Silent);
        var examples = pairs.Select(p => sides.Encode(p)).ToArray();
        var split = HeldOutSplit.Draw(pairs.Count, HeldOutFraction, new RandomGenerator(int.Parse(saved.Require("seed"), CultureInfo.InvariantCulture)), saved.RequireOptionalInt("limit"));
        var train = Trainable(examples, split.Train, PlainSentenceReader.IsPlainText(file));
        var nearest = NearestCodes.Search(queries, request.Nearest, train,
            batch => model.Code(PaddedSequences.FromSequences(batch.Select(i => (IReadOnlyList<int>)examples[i].Source).ToArray())), centred: true);
        return (nearest, pairs);
    }

    /// <summary>The training pairs kept: plain text was cut to --max-length characters when read; pairs are filtered to the usual limits.</summary>
    private static int[] Trainable(EncodedPair[] examples, int[] train, bool plainText)
    {
        int maxSource = plainText ? int.MaxValue : MaxTrainSourceTokens, maxTarget = plainText ? int.MaxValue : MaxTrainTargetCharacters + 2;
        return train.Where(i => examples[i].Source.Length is > 0 && examples[i].Source.Length <= maxSource && examples[i].Target.Length <= maxTarget).ToArray();
    }

    /// <summary>
    /// The output of each input line, then the attention weights as a grid: one row per output character (the
    /// last row is &lt;eos&gt; when the decoder chose it), one column per source token in reading order, each cell
    /// the weight in percent (blank below 5%).
    /// </summary>
    public override IEnumerable<string> ShowAttention(SavedModel saved, IEnumerable<string> inputs)
    {
        var config = saved.Config<Seq2SeqTaskConfig>();
        if (ParseAttention(config.Attention).Kind == Seq2SeqAttention.None)
            throw new TaskUsageException($"Model {saved.Path} was trained with --attention none, so it has no alignment to show; train with --attention bahdanau or luong.");
        var (model, sides) = Load(saved);
        foreach (var text in inputs)
        {
            var ids = sides.EncodeSource(text);
            if (ids.Length == 0)
            {
                yield return $"{text}: no known source token";
                continue;
            }
            var (rows, weights) = Attend(model, sides, ids);
            foreach (var line in AlignmentGrid.Format(text, sides.SourceLabels(ids), rows, weights, sides.ReverseSource)) yield return line;
        }
    }

    /// <summary>Greedy decoding of one source with its attention weights: a label per output row (the last is &lt;eos&gt; when the decoder chose it), weights in the encoder's order.</summary>
    private static (List<string> Rows, float[][] Weights) Attend(Seq2Seq model, Sides sides, int[] ids)
    {
        var (tokens, weights) = model.GreedyDecodeWithAttention(ids, MaxDecodeLength(ids.Length));
        var rows = tokens.Select(t => sides.Target.Decode([t])).ToList();
        if (weights.Length > tokens.Length) rows.Add("<eos>");
        return (rows, weights);
    }

    /// <summary>The decoder attention a --attention value names (none, bahdanau, luong = luong-general, luong-dot, luong-concat).</summary>
    private static (string Name, Seq2SeqAttention Kind, AttentionScore Score) ParseAttention(string value) => value.ToLowerInvariant() switch
    {
        "none" => ("none", Seq2SeqAttention.None, AttentionScore.General),
        "bahdanau" => ("bahdanau", Seq2SeqAttention.Bahdanau, AttentionScore.Additive),
        "luong" or "luong-general" => ("luong", Seq2SeqAttention.Luong, AttentionScore.General),
        "luong-dot" => ("luong-dot", Seq2SeqAttention.Luong, AttentionScore.Dot),
        "luong-concat" => ("luong-concat", Seq2SeqAttention.Luong, AttentionScore.Concat),
        _ => throw new TaskUsageException($"--attention must be none, bahdanau, luong, luong-dot or luong-concat, not '{value}'."),
    };

    /// <summary>
    /// Sentence pairs; for the autoencoder also plain text, one sentence per line (a file whose first line has no
    /// TAB): empty lines are skipped and lines over --max-length characters (default 40) truncated, both counted.
    /// </summary>
    private static IReadOnlyList<SentencePair> Read(string path, string mode, TaskOptions options, TaskContext context)
    {
        if (mode != "autoencode" || !PlainSentenceReader.IsPlainText(path))
            return TaskData.Records(SentencePairReader.Read(path, options.Strict), context);
        int maxLength = options.GetPositive("max-length", MaxTrainTargetCharacters);
        var plain = PlainSentenceReader.Read(path, maxLength, options.Strict);
        foreach (var skipped in plain.Skipped) context.Log($"skipped {skipped}");
        context.Log($"{Path.GetFileName(path)}: {plain.Sentences.Count} sentences (plain text, one per line); {plain.EmptyLines} empty lines skipped, " +
            $"{plain.Truncated} lines longer than {maxLength} characters truncated");
        return plain.Sentences;
    }

    private static string ParseMode(string mode) => mode.ToLowerInvariant() switch
    {
        "translate" => "translate",
        "autoencode" or "autoencoder" => "autoencode",
        _ => throw new TaskUsageException($"--mode must be translate or autoencode, not '{mode}'."),
    };

    /// <summary>Decoding from a code stops at &lt;eos&gt; or after this many characters (a vector has no source length), the same for --nearest and --decode-vector.</summary>
    private static int MaxCodeDecodeLength => MaxDecodeLength(MaxTrainTargetCharacters);

    /// <summary>Decoding stops at &lt;eos&gt; or after this many characters: room for twice the source and some.</summary>
    private static int MaxDecodeLength(int sourceLength) => Math.Min(120, 2 * sourceLength + 10);

    private static Seq2Seq Build(Seq2SeqTaskConfig config, CharacterVocabulary target, RandomGenerator? random = null)
    {
        var (_, attention, score) = ParseAttention(config.Attention ?? "none");
        return new(config.SourceVocabulary, config.TargetVocabulary, config.EmbeddingSize, config.HiddenSize, CellSpec.Parse(config.Cell), config.Layers,
            config.Bidirectional, config.Dropout, beginId: target.Tokens.BeginId, endId: target.Tokens.EndId, paddingId: Vocabulary.PadId, random: random,
            attention: attention, luongScore: score, inputFeeding: config.InputFeeding);
    }

    /// <summary>Teacher-forced training with the per-character cross-entropy, keeping the epoch with the best validation token accuracy.</summary>
    private TrainingHistory Fit(Seq2Seq model, EncodedPair[] examples, int[] train, int[] validation, TaskOptions options, RandomGenerator random, TaskContext context)
    {
        int batchSize = options.BatchSize ?? Defaults.BatchSize;
        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            var (logits, targets, mask) = TeacherForced(model, examples, batch);
            return new(Losses.CrossEntropy(logits, targets, mask: mask), batch.Length);
        }, monitor: validation.Length > 0 ? new MetricMonitor("token_accuracy", Maximize: true, Defaults.Patience) : null);
        var lengths = train.Select(i => examples[i].Target.Length).ToArray();
        return trainer.Fit(
            r => BatchOrder.Bucketed(lengths, batchSize, bucketBatches: 20, r).Select(b => b.Select(i => train[i]).ToArray()).ToArray(),
            validation.Length == 0 ? null : () =>
            {
                var (accuracy, loss) = TokenAccuracy(model, examples, validation);
                return new Dictionary<string, double> { ["token_accuracy"] = accuracy, ["loss"] = loss };
            },
            context.ProgressFor(Name), context.Cancellation);
    }

    /// <summary>
    /// The decoder reads &lt;bos&gt; c_1 … c_n and must predict c_1 … c_n &lt;eos&gt;: logits (B, T, V), the
    /// targets in the same (B, T) order, and the mask of the real positions (padding does not count).
    /// </summary>
    private static (Tensor Logits, int[] Targets, Tensor Mask) TeacherForced(Seq2Seq model, EncodedPair[] examples, int[] batch)
    {
        var source = PaddedSequences.FromSequences(batch.Select(i => (IReadOnlyList<int>)examples[i].Source).ToArray());
        var input = PaddedSequences.FromSequences(batch.Select(i => (IReadOnlyList<int>)examples[i].Target[..^1]).ToArray());
        var targets = PaddedSequences.FromSequences(batch.Select(i => (IReadOnlyList<int>)examples[i].Target[1..]).ToArray()).Ids;
        var logits = model.Forward(source, input);
        return (logits, targets, SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst));
    }

    /// <summary>
    /// Teacher-forced token accuracy — the share of target positions (characters and the final &lt;eos&gt;) where
    /// the most likely next token, given the true previous ones, is the true one — and the mean cross-entropy per position.
    /// </summary>
    private static (double Accuracy, double Loss) TokenAccuracy(Seq2Seq model, EncodedPair[] examples, int[] indices)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        long right = 0, positions = 0;
        double lossSum = 0;
        foreach (var batch in BatchOrder.Sequential(indices.Length, 128))
        {
            var ids = batch.Select(i => indices[i]).ToArray();
            var (logits, targets, mask) = TeacherForced(model, examples, ids);
            var predicted = logits.ArgMaxRows();
            var valid = mask.ToArray();
            for (int p = 0; p < targets.Length; p++)
            {
                if (valid[p] == 0) continue;
                positions++;
                if (predicted[p] == targets[p]) right++;
            }
            lossSum += Losses.CrossEntropy(logits, targets, reduction: Reduction.Sum, mask: mask).Item();
        }
        return ((double)right / Math.Max(1, positions), lossSum / Math.Max(1, positions));
    }

    /// <summary>Greedy (beam = 1) or beam-search outputs, as target-character ids without &lt;eos&gt;.</summary>
    private static List<int[]> Decode(Seq2Seq model, EncodedPair[] examples, int[] indices, int beam)
    {
        using var evaluating = model.Evaluating();
        var outputs = new List<int[]>(indices.Length);
        foreach (var batch in BatchOrder.Sequential(indices.Length, 128))
        {
            var ids = batch.Select(i => indices[i]).ToArray();
            var source = PaddedSequences.FromSequences(ids.Select(i => (IReadOnlyList<int>)examples[i].Source).ToArray());
            int maxLength = MaxDecodeLength(source.Steps);
            outputs.AddRange(beam > 1 ? model.BeamSearch(source, beam, maxLength) : model.GreedyDecode(source, maxLength));
        }
        return outputs;
    }

    private TaskResult Report(Seq2Seq model, Sides sides, IReadOnlyList<SentencePair> pairs, EncodedPair[] examples, int[] indices, int beam, TaskContext context)
    {
        // A source without a single known token (e.g. an English line with no letters) has nothing to encode.
        indices = indices.Where(i => examples[i].Source.Length > 0).ToArray();
        if (indices.Length == 0) throw new TaskUsageException("seq2seq: no sentence pair to evaluate.");
        context.Log($"seq2seq: scoring {indices.Length} pairs ({(beam > 1 ? $"beam {beam}" : "greedy")} decoding)");
        var (accuracy, loss) = TokenAccuracy(model, examples, indices);
        var outputs = Decode(model, examples, indices, beam);
        var hypotheses = outputs.Select(o => sides.Target.Decode(o)).ToArray();
        var bleu = Bleu.Corpus(indices.Select((i, k) => ((IReadOnlyList<string>)Characters(hypotheses[k]), (IReadOnlyList<string>)Characters(pairs[i].Target))));
        int exact = indices.Where((i, k) => hypotheses[k] == pairs[i].Target).Count();

        var result = new TaskResult(Name, "token_accuracy", accuracy);
        result.Figures["bleu"] = bleu.Score;
        result.Figures["bleu_precisions"] = bleu.Precisions;
        result.Figures["brevity_penalty"] = bleu.BrevityPenalty;
        result.Figures["exact_match"] = (double)exact / indices.Length;
        result.Figures["loss"] = loss;
        result.Figures["mode"] = sides.Mode;
        result.Figures["decoding"] = beam > 1 ? $"beam {beam}" : "greedy";
        result.Figures["test_examples"] = indices.Length;
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{sides.Mode}: {indices.Length} pairs; token accuracy {accuracy:F4}, BLEU-4 {bleu.Score:F2} (character n-gram precisions {string.Join(" / ", bleu.Precisions.Select(p => p.ToString("F3", CultureInfo.InvariantCulture)))}, brevity penalty {bleu.BrevityPenalty:F3}), exact match {(double)exact / indices.Length:F4}"));
        foreach (var (i, k) in indices.Select((i, k) => (i, k)).Take(8))
            result.Lines.Add($"  {SourceText(sides, pairs[i])} → {hypotheses[k]}   (reference: {pairs[i].Target})");
        if (model.Attention is not null)
        {
            // The report's heatmaps: the first few held-out sentences short enough for a readable grid.
            using var evaluating = model.Evaluating();
            foreach (int i in indices.Where(i => examples[i].Source.Length <= 12 && pairs[i].Target.Length <= 16).Take(AttentionMapsShown))
            {
                var (rows, weights) = Attend(model, sides, examples[i].Source);
                result.Insights.Add(AttentionMap.FromEncoderOrder(SourceText(sides, pairs[i]), pairs[i].Target, sides.SourceLabels(examples[i].Source), rows, weights, sides.ReverseSource));
            }
        }
        return result;
    }

    /// <summary>How many held-out sentences the report of an attention model draws as heatmaps.</summary>
    private const int AttentionMapsShown = 4;

    private static string SourceText(Sides sides, SentencePair pair) => sides.Mode == "translate" ? pair.Source : pair.Target;

    /// <summary>The characters of a text as one-character strings (the BLEU tokens of the target side).</summary>
    private static string[] Characters(string text) => text.EnumerateRunes().Select(r => r.ToString()).ToArray();

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (Seq2Seq Model, Sides Sides) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var config = saved.Config<Seq2SeqTaskConfig>();
        string mode = ParseMode(config.Mode);
        var target = CharacterVocabulary.FromJson(saved.Require("target_vocabulary"), saved.Path);
        var source = mode == "translate"
            ? new SourceSide(Vocabulary.FromJson(saved.Require("source_vocabulary"), saved.Path), null)
            : new SourceSide(null, target);

        var model = Build(config, target);
        saved.LoadInto(model);
        model.Eval();
        return (model, new Sides(mode, source, target, config.ReverseSource));
    }

    /// <summary>A sentence pair as ids: the source tokens, and &lt;bos&gt; target characters &lt;eos&gt;.</summary>
    private sealed record EncodedPair(int[] Source, int[] Target);

    /// <summary>The source side: English words (translate) or the target's characters (autoencode).</summary>
    private sealed record SourceSide(Vocabulary? Words, CharacterVocabulary? Characters)
    {
        public int Count => Words?.Count ?? Characters!.Count;
    }

    /// <summary>How the mode turns text into ids on each side.</summary>
    private sealed record Sides(string Mode, SourceSide Source, CharacterVocabulary Target, bool ReverseSource)
    {
        /// <summary>
        /// translate: the English words; autoencode: the Chinese characters (no &lt;bos&gt;/&lt;eos&gt; on the source
        /// side); last token first when <see cref="ReverseSource"/>.
        /// </summary>
        public int[] EncodeSource(string text)
        {
            int[] ids = Source.Words is { } words ? words.Encode(WordTokenizer.Tokenize(text)) : Source.Characters!.Encode(text.Trim());
            if (ReverseSource) Array.Reverse(ids);
            return ids;
        }

        /// <summary>The text of each source id, in the order given (&lt;unk&gt; for unknown words or characters).</summary>
        public string[] SourceLabels(int[] ids) =>
            ids.Select(id => Source.Words is { } words ? words.TokenOf(id) : Source.Characters!.Tokens.TokenOf(id)).ToArray();

        public EncodedPair Encode(SentencePair pair) =>
            new(EncodeSource(Mode == "translate" ? pair.Source : pair.Target), Target.Encode(pair.Target, addBegin: true, addEnd: true));
    }
}
