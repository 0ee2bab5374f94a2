using System.CommandLine;
using RecurrentSharp.Kernels;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Cli.Commands;

/// <summary>The options shared by the train and eval commands, and their translation into <see cref="TaskOptions"/>.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Data { get; } = new("--data") { Description = "Data file or folder (default: $RNN_DATA, then the per-user cache, downloading if needed)." };
    public Option<string?> Cell { get; } = new("--cell") { Description = "rnn | lstm | gru | lstm-peephole | lstm-coupled | gru-cho | jordan (also rnn-relu, rnn-identity)." };
    public Option<int?> Hidden { get; } = new("--hidden") { Description = "Hidden size." };
    public Option<int?> Layers { get; } = new("--layers") { Description = "Stacked recurrent layers." };
    public Option<bool?> Bidirectional { get; } = new("--bidirectional") { Description = "Bidirectional encoder (true/false)." };
    public Option<float?> Dropout { get; } = new("--dropout") { Description = "Dropout probability." };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Training epochs." };
    public Option<int?> Batch { get; } = new("--batch") { Description = "Batch size." };
    public Option<double?> LearningRate { get; } = new("--lr") { Description = "Learning rate." };
    public Option<string?> Optimizer { get; } = new("--optimizer") { Description = "sgd | momentum | adam | adamw | rmsprop | adagrad." };
    public Option<double?> Clip { get; } = new("--clip") { Description = "Clip gradients to this global norm (0: off)." };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 1 };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Kernel threads (default: all cores)." };
    public Option<string?> Out { get; } = new("--out") { Description = "Where to save the trained model (default: ./TASK.safetensors)." };
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "Write a training checkpoint here after every epoch (model, optimizer and generator state), atomically." };

    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from the --checkpoint file when it exists (a run killed mid-way ends exactly as an uninterrupted one)." };
    public Option<string?> Report { get; } = new("--report") { Description = "Write an HTML report with the training curves." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object on standard output (progress and tables go to standard error)." };
    public Option<bool> Strict { get; } = new("--strict") { Description = "Stop at the first malformed input line instead of skipping it." };
    public Option<int?> Limit { get; } = new("--limit") { Description = "Use at most this many training examples (a quick run)." };
    public Option<bool> Offline { get; } = new("--offline") { Description = "Never download a missing dataset." };
    public Option<string?> Column { get; } = new("--column") { Description = "timeseries: the CSV column to forecast." };
    public Option<int?> Season { get; } = new("--season") { Description = "timeseries: the season length of the seasonal-naive baseline." };
    public Option<int?> Horizon { get; } = new("--horizon") { Description = "timeseries: steps ahead to forecast." };
    public Option<int?> Window { get; } = new("--window") { Description = "charlm: BPTT window (steps); timeseries: input window length." };
    public Option<string?> Text { get; } = new("--text") { Description = "charlm: which corpus when --data is not given (shakespeare, jaychou, tang)." };
    public Option<string?> Mode { get; } = new("--mode") { Description = "seq2seq: translate (English to Chinese characters) or autoencode (the sequence autoencoder)." };
    public Option<string?> Head { get; } = new("--head") { Description = "atis: the tag head, softmax (each word on its own) or crf (a linear-chain CRF, Viterbi with BIO constraints; default)." };
    public Option<bool?> CharFeatures { get; } = new("--char-features") { Description = "atis: join each word vector with character-CNN features of its spelling (true/false, default true)." };
    public Option<string?> Attention { get; } = new("--attention")
    {
        Description = "seq2seq: the decoder's attention: none, bahdanau, luong (general score; default for translate), luong-dot, luong-concat; captions: bahdanau (soft attention over the 7x7 image regions) or none. The bare flag means bahdanau.",
        Arity = ArgumentArity.ZeroOrOne,
    };
    public Option<bool?> InputFeeding { get; } = new("--input-feeding") { Description = "seq2seq with Luong attention: feed the previous attentional state into the decoder (true/false)." };
    public Option<float?> WordDropout { get; } = new("--word-dropout") { Description = "poem-autoencoder: drop each decoder input character with this probability in training (Bowman et al. 2016), so the decoder must use the poem's code (default 0)." };
    public Option<bool?> ReverseSource { get; } = new("--reverse-source") { Description = "seq2seq translate: the encoder reads the source backwards (true/false; default true without attention, false with it)." };
    public Option<int?> Beam { get; } = new("--beam") { Description = "seq2seq, speech, captions: beam width for decoding (default 1: greedy; speech: CTC prefix beam search or the speller's beam search; captions: 3, greedy reported beside it)." };
    public Option<string?> TestSpeaker { get; } = new("--test-speaker") { Description = "speech: the speaker held out for testing (default: drawn with the seed)." };
    public Option<bool?> Augment { get; } = new("--augment") { Description = "speech: speed perturbation (0.85-1.15) and SpecAugment masks in training (true/false, default true)." };
    public Option<bool?> Pyramidal { get; } = new("--pyramidal") { Description = "speech: the top BiLSTM layer reads pairs of frames, halving the frame rate (true/false, default true)." };
    public Option<string?> Model { get; } = new("--model") { Description = "poem-autoencoder: hierarchical (line vectors, then the poem vector; default) or flat (the whole poem as one sequence); speech: ctc (BiLSTM + CTC, default) or las (listen, attend and spell: the pyramidal BiLSTM listener with an attention speller)." };
    public Option<string?> Poems { get; } = new("--poems") { Description = "poem-autoencoder: regular (4 or 8 lines, all of 5 or all of 7 characters; default) or all (every poem of at most 8 lines)." };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "seq2seq autoencoder on plain text: cut longer lines to this many characters (default 40); poem-autoencoder: the longest poem line (default 10). Counted." };

    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "captions: compute the CNN features of the images again instead of reading them from the feature cache (which is then rewritten)." };
    public Option<string?> FeatureCache { get; } = new("--feature-cache") { Description = "captions: the folder of the feature cache (default: features/ in the dataset cache folder)." };

    public Option<bool> CachedOnly { get; } = new("--cached-only") { Description = "captions: use only the images whose features are already in the feature cache (the others are counted and left out)." };
    public Option<string?> ValidationSpeaker { get; } = new("--validation-speaker") { Description = "speech: choose the model on all recordings of this training speaker (an unseen voice) instead of a tenth of every training speaker's." };
    public Option<bool?> Vtlp { get; } = new("--vtlp") { Description = "speech, with --augment: vocal tract length perturbation, the mel filterbank's frequency axis warped by a factor from 0.9-1.1 per use (true/false, default false)." };
    public Option<string?> Features { get; } = new("--features") { Description = "speech: logmel (40 log-mel bands, default) or mfcc (13 MFCCs with deltas and delta-deltas), normalised per utterance." };
    public Option<string?> Normalise { get; } = new("--normalise") { Description = "speech: utterance (each recording by its own per-dimension mean and variance, default) or speaker (by its speaker's, over all their recordings)." };
    public Option<double?> LrDecay { get; } = new("--lr-decay") { Description = "captions: multiply the learning rate by this factor after every epoch (exponential decay, e.g. 0.8; default: constant)." };
    public Option<double?> LengthPenalty { get; } = new("--length-penalty") { Description = "captions: beam search ranks finished captions by log p / (words + 1)^this (default 1; 0: plain log-probability)." };
    public Option<string?> Split { get; } = new("--split") { Description = "captions, eval: the split to score, test (default) or dev (to choose decoding settings without looking at the test images)." };
    public Option<double?> CtcWeight { get; } = new("--ctc-weight") { Description = "speech --model las: joint CTC-attention training, a CTC head on the listener with loss weight λ in [0, 1) beside the speller's 1 - λ (default 0: none)." };
    public Option<int?> Average { get; } = new("--average") { Description = "speech: checkpoint averaging, the final model is the mean of the parameters of the N epochs with the best validation CER (default 1: the best epoch)." };
    public Option<int?> Masks { get; } = new("--masks") { Description = "speech, with --augment: SpecAugment frequency masks and time masks, each (default 2)." };

    public void AddTo(Command command, bool training)
    {
        command.Options.Add(Data);
        command.Options.Add(Json);
        command.Options.Add(Strict);
        command.Options.Add(Threads);
        command.Options.Add(Offline);
        command.Options.Add(Report);
        command.Options.Add(Beam);
        command.Options.Add(MaxLength);
        command.Options.Add(NoCache);
        command.Options.Add(FeatureCache);
        command.Options.Add(CachedOnly);
        command.Options.Add(LengthPenalty);
        command.Options.Add(Split);
        if (!training) return;
        foreach (var option in new Option[] { Cell, Hidden, Layers, Bidirectional, Dropout, Epochs, Batch, LearningRate, Optimizer, Clip, Seed, Out, Checkpoint, Resume, Limit, Column, Season, Horizon, Text, Mode, Window, Attention, InputFeeding, WordDropout, ReverseSource, TestSpeaker, ValidationSpeaker, Features, Normalise, Vtlp, Masks, CtcWeight, Average, Pyramidal, Augment, Head, CharFeatures, Model, Poems, LrDecay })
            command.Options.Add(option);
    }

    public TaskOptions Read(ParseResult parse)
    {
        if (parse.GetValue(Threads) is { } threads) KernelThreads.Count = threads;
        var extra = new Dictionary<string, string>();
        if (parse.GetValue(Column) is { } column) extra["column"] = column;
        if (parse.GetValue(Season) is { } season) extra["season"] = season.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Horizon) is { } horizon) extra["horizon"] = horizon.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Text) is { } text) extra["text"] = text;
        if (parse.GetValue(Window) is { } window) extra["window"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Mode) is { } mode) extra["mode"] = mode;
        if (parse.GetValue(Head) is { } head) extra["head"] = head;
        if (parse.GetValue(CharFeatures) is { } charFeatures) extra["char-features"] = charFeatures ? "true" : "false";
        if (parse.GetValue(Attention) is { } attention) extra["attention"] = attention;
        else if (parse.GetResult(Attention) is not null) extra["attention"] = "bahdanau";
        if (parse.GetValue(InputFeeding) is { } feeding) extra["input-feeding"] = feeding ? "true" : "false";
        if (parse.GetValue(WordDropout) is { } wordDropout) extra["word-dropout"] = wordDropout.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(ReverseSource) is { } reverse) extra["reverse-source"] = reverse ? "true" : "false";
        if (parse.GetValue(TestSpeaker) is { } speaker) extra["test-speaker"] = speaker;
        if (parse.GetValue(ValidationSpeaker) is { } validationSpeaker) extra["validation-speaker"] = validationSpeaker;
        if (parse.GetValue(Vtlp) is { } vtlp) extra["vtlp"] = vtlp ? "true" : "false";
        if (parse.GetValue(Features) is { } features) extra["features"] = features;
        if (parse.GetValue(Normalise) is { } normalise) extra["normalise"] = normalise;
        if (parse.GetValue(Masks) is { } masks) extra["masks"] = masks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Average) is { } average) extra["average"] = average.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(CtcWeight) is { } ctcWeight) extra["ctc-weight"] = ctcWeight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Augment) is { } augment) extra["augment"] = augment ? "true" : "false";
        if (parse.GetValue(Pyramidal) is { } pyramidal) extra["pyramidal"] = pyramidal ? "true" : "false";
        if (parse.GetValue(Model) is { } model) extra["model"] = model;
        if (parse.GetValue(Poems) is { } poems) extra["poems"] = poems;
        if (parse.GetValue(MaxLength) is { } maxLength) extra["max-length"] = maxLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(NoCache)) extra["no-cache"] = "true";
        if (parse.GetValue(CachedOnly)) extra["cached-only"] = "true";
        if (parse.GetValue(FeatureCache) is { } featureCache) extra["feature-cache"] = featureCache;
        if (parse.GetValue(LrDecay) is { } decay) extra["lr-decay"] = decay.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(LengthPenalty) is { } penalty) extra["length-penalty"] = penalty.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (parse.GetValue(Split) is { } split) extra["split"] = split;
        if (parse.GetValue(Beam) is { } beam) extra["beam"] = beam.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new TaskOptions
        {
            DataPath = parse.GetValue(Data),
            Cell = parse.GetValue(Cell),
            Hidden = parse.GetValue(Hidden),
            Layers = parse.GetValue(Layers),
            Bidirectional = parse.GetValue(Bidirectional),
            Dropout = parse.GetValue(Dropout),
            Epochs = parse.GetValue(Epochs),
            BatchSize = parse.GetValue(Batch),
            LearningRate = parse.GetValue(LearningRate),
            Optimizer = parse.GetValue(Optimizer),
            Clip = parse.GetValue(Clip),
            Seed = parse.GetValue(Seed),
            OutputPath = parse.GetValue(Out),
            CheckpointPath = parse.GetValue(Checkpoint),
            Resume = parse.GetValue(Resume),
            Strict = parse.GetValue(Strict),
            Limit = parse.GetValue(Limit),
            AllowDownload = !parse.GetValue(Offline),
            Extra = extra,
        };
    }
}
