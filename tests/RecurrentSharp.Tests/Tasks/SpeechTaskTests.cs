using RecurrentSharp.Data.Audio;
using RecurrentSharp.Tests.Cli;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>speech end to end on a small slice of FSDD: train, eval on a folder, predict a file, and the errors.</summary>
[Collection("Console")]
public class SpeechTaskTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    private static string Fsdd => SharedFolder.Path("speech", "fsdd");

    [Fact]
    public void Trains_on_a_slice_and_beats_every_constant_answer_on_the_unseen_speaker()
    {
        string model = folder.File("speech.safetensors");
        var train = CliRunner.Run("train", "speech", "--data", Fsdd, "--test-speaker", "theo", "--limit", "800", "--epochs", "6", "--hidden", "48", "--lr", "0.004", "--augment", "false",
            "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("speech", json.GetProperty("task").GetString());
        Assert.Equal("word_accuracy", json.GetProperty("metric").GetString());
        Assert.Equal("theo", json.GetProperty("test_speakers").GetString());
        Assert.Equal(800, json.GetProperty("train_examples").GetInt32());
        Assert.False(json.GetProperty("augment").GetBoolean());
        Assert.DoesNotContain("theo", json.GetProperty("train_speakers").EnumerateArray().Select(s => s.GetString()));

        // the trivial baselines: the best single word for every recording (theo says each digit equally often)
        var words = SpokenDigitRecordings.Words;
        double constantCer = words.Min(guess => EditDistance.CharacterErrorRate(words.Select(w => (guess, w))));
        double cer = json.GetProperty("cer").GetDouble();
        double digits = json.GetProperty("digit_accuracy").GetDouble();
        Assert.True(cer < constantCer - 0.2, $"CER {cer:F3}, a constant word gives {constantCer:F3}");
        Assert.True(digits > 0.1 + 0.25, $"digit accuracy {digits:F3}, a constant digit gives 0.1");

        // eval on a folder: the training speakers' files are left out, theo's are scored
        string data = Directory.CreateDirectory(folder.File("eval-data")).FullName;
        foreach (var name in new[] { "3_theo_0.wav", "7_theo_1.wav", "9_theo_2.wav", "3_jackson_0.wav" })
            File.Copy(Path.Combine(Fsdd, "recordings", name), Path.Combine(data, name));
        string report = folder.File("speech-eval.html");
        var eval = CliRunner.Run("eval", model, "--data", data, "--json", "--threads", "1", "--report", report);
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        // The report draws each scored recording (three words) with its spectrogram and best path.
        string html = File.ReadAllText(report);
        Assert.Equal(3, html.Split("<figure>").Length - 1);
        Assert.Contains("3_theo_0.wav: heard", html);
        Assert.Contains(">best path</text>", html);
        Assert.Equal(3, eval.Json().GetProperty("test_examples").GetInt32());
        Assert.Equal("theo", eval.Json().GetProperty("test_speakers").GetString());

        var predict = CliRunner.Run("predict", model, Path.Combine(data, "7_theo_1.wav"));
        Assert.True(predict.ExitCode == 0, predict.StdErr);
        var fields = predict.StdOut.Trim().Split('\t');
        Assert.Equal(3, fields.Length);
        Assert.EndsWith("7_theo_1.wav", fields[0]);
        Assert.InRange(int.Parse(fields[2]), 0, 9);

        // a file that is not a WAV file: a message naming it, no stack trace
        string bad = Path.Combine(data, "1_theo_9.wav");
        File.WriteAllText(bad, "not audio");
        var broken = CliRunner.Run("predict", model, bad);
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("1_theo_9.wav", broken.StdErr);
        Assert.Contains("too short for a RIFF/WAVE header", broken.StdErr);
        Assert.DoesNotContain("   at ", broken.StdErr);
    }

    [Fact]
    public void Listen_attend_and_spell_trains_on_a_slice_beats_a_constant_word_and_is_scored_and_used_when_loaded()
    {
        string model = folder.File("speech-las.safetensors");
        var train = CliRunner.Run("train", "speech", "--model", "las", "--features", "mfcc", "--data", Fsdd, "--test-speaker", "theo", "--validation-speaker", "lucas", "--limit", "800",
            "--epochs", "6", "--hidden", "48", "--lr", "0.004", "--augment", "false", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var json = train.Json();
        Assert.Equal("las", json.GetProperty("recognizer").GetString());
        Assert.Equal("lucas", json.GetProperty("validation_speakers").EnumerateArray().Single().GetString());
        Assert.DoesNotContain("lucas", json.GetProperty("train_speakers").EnumerateArray().Select(s => s.GetString()));

        // scored on a folder of theo's takes 0-1 of every digit: a constant word is right on a tenth of them
        string data = Directory.CreateDirectory(folder.File("las-eval-data")).FullName;
        var names = Enumerable.Range(0, 10).SelectMany(d => new[] { $"{d}_theo_0.wav", $"{d}_theo_1.wav" }).ToArray();
        foreach (var name in names) File.Copy(Path.Combine(Fsdd, "recordings", name), Path.Combine(data, name));
        var said = names.Select(n => SpokenDigitRecordings.Parse(n).Word).ToArray();
        double constantWords = SpokenDigitRecordings.Words.Max(guess => said.Count(w => w == guess)) / (double)said.Length;
        double constantCer = SpokenDigitRecordings.Words.Min(guess => EditDistance.CharacterErrorRate(said.Select(w => (guess, w))));
        string report = folder.File("speech-las-eval.html");
        var eval = CliRunner.Run("eval", model, "--data", data, "--json", "--threads", "1", "--report", report);
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        var scores = eval.Json();
        Assert.Equal("las", scores.GetProperty("recognizer").GetString());
        // the report draws four words' spectrograms, each with the speller's attention map under it (no best path)
        string html = File.ReadAllText(report);
        Assert.Equal(4, html.Split("<figure>").Length - 1);
        Assert.Contains("where the speller looked", html);
        Assert.Contains("← listener frame 0:", html);
        Assert.DoesNotContain(">best path</text>", html);
        Assert.Equal(names.Length, scores.GetProperty("test_examples").GetInt32());
        double words = scores.GetProperty("value").GetDouble(), cer = scores.GetProperty("cer").GetDouble();
        Assert.True(words > constantWords + 0.25, $"word accuracy {words:F3}, a constant word gives {constantWords:F3}");
        Assert.True(cer < constantCer - 0.2, $"CER {cer:F3}, a constant word gives {constantCer:F3}");

        var predict = CliRunner.Run("predict", model, Path.Combine(data, "7_theo_1.wav"));
        Assert.True(predict.ExitCode == 0, predict.StdErr);
        Assert.Equal(3, predict.StdOut.Trim().Split('\t').Length);
        // the speller's beam search scores the same folder; it is not held to beat greedy here (the spellings are
        // ranked by length-normalised log P, not by accuracy), only to run and to spell words
        var beam = CliRunner.Run("eval", model, "--data", data, "--beam", "4", "--json", "--threads", "1");
        Assert.True(beam.ExitCode == 0, beam.StdErr);
        Assert.True(beam.Json().GetProperty("value").GetDouble() > constantWords + 0.25, beam.StdOut);
    }

    [Fact]
    public void Speaker_normalisation_is_kept_with_the_model_and_used_by_eval_and_predict()
    {
        string model = folder.File("speech-speaker-norm.safetensors");
        var train = CliRunner.Run("train", "speech", "--data", Fsdd, "--test-speaker", "theo", "--normalise", "speaker", "--limit", "200", "--epochs", "1",
            "--hidden", "16", "--augment", "false", "--out", model, "--json", "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        Assert.Equal("speaker", RecurrentSharp.Formats.Safetensors.SafetensorsReader.Read(model).Metadata["normalise"]);

        string data = Directory.CreateDirectory(folder.File("speaker-norm-data")).FullName;
        foreach (var name in new[] { "3_theo_0.wav", "7_theo_1.wav" })
            File.Copy(Path.Combine(Fsdd, "recordings", name), Path.Combine(data, name));
        var eval = CliRunner.Run("eval", model, "--data", data, "--json", "--threads", "1");
        Assert.True(eval.ExitCode == 0, eval.StdErr);
        Assert.Equal(2, eval.Json().GetProperty("test_examples").GetInt32());
        // predict pools the statistics of the files it is given (one speaker's)
        var predict = CliRunner.Run("predict", model, Path.Combine(data, "3_theo_0.wav"), Path.Combine(data, "7_theo_1.wav"));
        Assert.True(predict.ExitCode == 0, predict.StdErr);
        Assert.Equal(2, predict.StdOut.Trim().Split('\n').Length);

        var bad = CliRunner.Run("train", "speech", "--data", Fsdd, "--normalise", "corpus", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--normalise must be utterance", bad.StdErr);
    }

    [Fact]
    public void An_unknown_test_speaker_and_a_badly_named_file_are_usage_errors()
    {
        var unknown = CliRunner.Run("train", "speech", "--data", Fsdd, "--test-speaker", "nobody", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("--test-speaker 'nobody' has no recordings", unknown.StdErr);
        var validation = CliRunner.Run("train", "speech", "--data", Fsdd, "--test-speaker", "theo", "--validation-speaker", "theo", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, validation.ExitCode);
        Assert.Contains("--validation-speaker 'theo' must be one of the training speakers", validation.StdErr);
        var ctcWeight = CliRunner.Run("train", "speech", "--data", Fsdd, "--ctc-weight", "0.3", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, ctcWeight.ExitCode);
        Assert.Contains("--ctc-weight is for --model las", ctcWeight.StdErr);
        var badWeight = CliRunner.Run("train", "speech", "--data", Fsdd, "--model", "las", "--ctc-weight", "1", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, badWeight.ExitCode);
        Assert.Contains("--ctc-weight must be a number in [0, 1)", badWeight.StdErr);
        var kind = CliRunner.Run("train", "speech", "--data", Fsdd, "--model", "rnnt", "--epochs", "1", "--limit", "10");
        Assert.NotEqual(0, kind.ExitCode);
        Assert.Contains("--model must be ctc", kind.StdErr);

        string data = Directory.CreateDirectory(folder.File("badly-named")).FullName;
        File.Copy(Path.Combine(Fsdd, "recordings", "3_theo_0.wav"), Path.Combine(data, "three.wav"));
        var badName = CliRunner.Run("train", "speech", "--data", data, "--epochs", "1");
        Assert.NotEqual(0, badName.ExitCode);
        Assert.Contains("three.wav", badName.StdErr);
        Assert.Contains("{digit}_{speaker}_{index}.wav", badName.StdErr);
    }
}
