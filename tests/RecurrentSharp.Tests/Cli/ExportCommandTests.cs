using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks;
using RecurrentSharp.Tensors;
using RecurrentSharp.Tests.Interop.Onnx;
using RecurrentSharp.Tests.Tasks;

namespace RecurrentSharp.Tests.Cli;

/// <summary>
/// `rnn export` on a model of every saved task kind (trained briefly on a slice of its data): the ONNX file
/// runs in ONNX Runtime as the saved network runs in RecurrentSharp.
/// </summary>
[Collection("Console")]
public sealed class ExportCommandTests : IDisposable
{
    private readonly TaskTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_default_atis_model_with_character_features_and_a_crf_is_refused_by_name()
    {
        string model = folder.File("atis-crf.safetensors");
        var train = CliRunner.Run("train", "atis", "--limit", "100", "--epochs", "1", "--hidden", "8", "--out", model, "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var export = CliRunner.Run("export", model, "-o", folder.File("atis-crf.onnx"));
        Assert.Equal(1, export.ExitCode);
        Assert.Contains("character features and a CRF head", export.StdErr);
        Assert.DoesNotContain("   at ", export.StdErr);
    }

    [Theory]
    [InlineData("sentiment", new[] { "--limit", "300", "--epochs", "1", "--hidden", "8" })]
    [InlineData("har", new[] { "--limit", "120", "--epochs", "1", "--hidden", "8", "--cell", "gru" })]
    [InlineData("mnist", new[] { "--limit", "300", "--epochs", "1", "--batch", "32", "--hidden", "8" })]
    [InlineData("atis", new[] { "--limit", "200", "--epochs", "1", "--hidden", "8", "--head", "softmax", "--char-features", "false" })]
    [InlineData("charlm", new[] { "--limit", "3000", "--epochs", "1", "--hidden", "16", "--batch", "8", "--window", "25" })]
    [InlineData("timeseries", new[] { "--epochs", "1", "--hidden", "8" })]
    [InlineData("seq2seq", new[] { "--mode", "translate", "--attention", "none", "--limit", "200", "--epochs", "1", "--hidden", "8", "--layers", "1" })]
    public void An_exported_task_model_runs_in_onnx_runtime_as_the_saved_network(string task, string[] options)
    {
        string model = folder.File(task + ".safetensors");
        var train = CliRunner.Run(["train", task, .. options, "--out", model, "--threads", "1"]);
        Assert.True(train.ExitCode == 0, train.StdErr);
        string onnx = folder.File(task + ".onnx");
        var export = CliRunner.Run("export", model, "-o", onnx);
        Assert.True(export.ExitCode == 0, export.StdErr);
        Assert.Contains("wrote ", export.StdOut);

        var saved = SavedModel.Load(model);
        var network = TaskCatalog.Find(task).LoadNetwork(saved);
        var random = new RandomGenerator(17);
        switch (network)
        {
            case SequenceClassifier classifier: OnnxExportTests.CheckClassifier(classifier, File.ReadAllBytes(onnx), random); break;
            case SlotIntentTagger tagger: OnnxExportTests.CheckTagger(tagger, File.ReadAllBytes(onnx), random); break;
            case CharLanguageModel language: OnnxExportTests.CheckLanguageModel(language, File.ReadAllBytes(onnx), random); break;
            case SequenceRegressor regressor: OnnxExportTests.CheckRegressor(regressor, File.ReadAllBytes(onnx), random); break;
            case Seq2Seq seq2seq:
                Assert.False(File.Exists(onnx));
                OnnxExportTests.CheckSeq2Seq(seq2seq, File.ReadAllBytes(folder.File(task + ".encoder.onnx")), File.ReadAllBytes(folder.File(task + ".decoder.onnx")), random);
                break;
            default: Assert.Fail($"{task}: unexpected network {network.GetType().Name}"); break;
        }
        if (network is not Seq2Seq) Assert.Equal(OnnxExporterVersion, OnnxReader.Read(onnx).DefaultOpsetVersion);
    }

    private const int OnnxExporterVersion = RecurrentSharp.Interop.Onnx.OnnxExporter.OpsetVersion;

    [Fact]
    public void A_jordan_model_is_refused_with_the_layer_named()
    {
        string model = folder.File("jordan.safetensors");
        var train = CliRunner.Run("train", "har", "--limit", "60", "--epochs", "1", "--hidden", "4", "--cell", "jordan", "--out", model, "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var export = CliRunner.Run("export", model, "-o", folder.File("jordan.onnx"));
        Assert.Equal(1, export.ExitCode);
        Assert.Contains("cannot export StackedRnn(JordanRnn, JordanRnn) to ONNX: JordanRnn feeds its output", export.StdErr);
        Assert.False(File.Exists(folder.File("jordan.onnx")));
    }

    [Fact]
    public void A_seq2seq_model_with_attention_is_refused_with_the_reason()
    {
        string model = folder.File("attention.safetensors");
        var train = CliRunner.Run("train", "seq2seq", "--attention", "bahdanau", "--limit", "60", "--epochs", "1", "--hidden", "4", "--layers", "1", "--out", model, "--threads", "1");
        Assert.True(train.ExitCode == 0, train.StdErr);
        var export = CliRunner.Run("export", model, "-o", folder.File("attention.onnx"));
        Assert.Equal(1, export.ExitCode);
        Assert.Contains("Bahdanau attention does not export yet", export.StdErr);
        Assert.DoesNotContain("   at ", export.StdErr);
    }
}
