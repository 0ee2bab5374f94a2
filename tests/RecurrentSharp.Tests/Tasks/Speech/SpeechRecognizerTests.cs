using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tasks;
using RecurrentSharp.Tasks.Speech;
using RecurrentSharp.Tensors;
using Xunit;

namespace RecurrentSharp.Tests.Tasks.Speech;

public class SpeechRecognizerTests
{
    /// <summary>The tensor layout of CTC models saved before LAS came: encoder.*, pyramid.* and head.* at the top.</summary>
    private sealed class LayoutBeforeLas : Module
    {
        public LayoutBeforeLas(Module model)
        {
            foreach (var (name, child) in model.NamedChildren())
                if (name == "listener")
                    foreach (var (inner, part) in child.NamedChildren().Where(c => c.Value.Parameters().Any())) RegisterModule(inner, part);   // its dropout has no tensors
                else RegisterModule(name, child);
        }
    }

    [Fact]
    public void A_ctc_model_saved_before_las_loads_with_the_same_weights()
    {
        var config = new CtcSpeechRecognizerConfig(InputSize: 6, Classes: SpeechRecognizer.Letters.Length + 1, HiddenSize: 5, Layers: 2, Pyramidal: true);
        var original = SpeechRecognizer.Ctc(config, new RandomGenerator(3));
        var old = new LayoutBeforeLas(original.Module);
        Assert.Contains(old.NamedParameters(), p => p.Key.StartsWith("encoder.", StringComparison.Ordinal));
        Assert.DoesNotContain(old.NamedParameters(), p => p.Key.StartsWith("listener.", StringComparison.Ordinal));

        string path = Path.Combine(Path.GetTempPath(), $"rnn-old-ctc-{Guid.NewGuid():N}.safetensors");
        try
        {
            SavedModel.Save(path, "speech", old, config, new Dictionary<string, string>
            {
                ["letters"] = SpeechRecognizer.Letters,
                ["sample_rate"] = "8000",
            });
            var loaded = SpeechRecognizer.Load(SavedModel.Load(path), 8000);
            Assert.Equal("ctc", loaded.Kind);
            var expected = original.Module.StateDict();
            foreach (var (name, parameter) in loaded.Module.NamedParameters())
                Assert.Equal(expected[name].Data.ToArray(), parameter.Data.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
