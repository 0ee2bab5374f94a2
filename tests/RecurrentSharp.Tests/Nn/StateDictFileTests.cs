using System.Text.Json;
using RecurrentSharp.Nn;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Nn;

public class StateDictFileTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rs-statedict-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A module holding named parameters of given shapes (stands in for a layer with PyTorch's names).</summary>
    private sealed class ParameterBag : Module
    {
        public ParameterBag(IEnumerable<(string Name, int[] Shape)> parameters)
        {
            foreach (var (name, shape) in parameters) RegisterParameter(name, Tensor.Full(-9f, shape));
        }
    }

    private static Sequential SmallModel(int seed) =>
        new(new Linear(3, 4, random: new RandomGenerator(seed)), Activation.Tanh(), new Linear(4, 2, random: new RandomGenerator(seed + 1)));

    [Fact]
    public void Save_and_load_round_trip_parameters_and_config()
    {
        string path = Path.Combine(folder, "model.safetensors");
        var model = SmallModel(1);
        StateDictFile.Save(path, model, "{\"hidden\": 4, \"layers\": [3, 4, 2]}", new Dictionary<string, string> { ["epoch"] = "7" });

        var other = SmallModel(10);
        var file = StateDictFile.Load(path, other);
        foreach (var (name, p) in model.NamedParameters())
            Assert.Equal(p.ToArray(), other.StateDict()[name].ToArray());
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, file.Names);
        Assert.Equal("Sequential", file.Metadata[StateDictFile.ModelKey]);
        Assert.Equal("7", file.Metadata["epoch"]);
        using var config = StateDictFile.ReadConfig(file)!;
        Assert.Equal(4, config.RootElement.GetProperty("hidden").GetInt32());
    }

    [Fact]
    public void Loads_pytorch_lstm_state_dicts_from_the_fixtures_in_float32_and_float64()
    {
        foreach (var name in new[] { "lstm_L1_T5_B3_I4_H7", "lstm_L2_bi_T18_B7_I11_H13_var_h0_f64", "gru_L1_nobias_T40_B2_I24_H128" })
        {
            var file = SafetensorsReader.Read(SharedFolder.Fixture("torch", "modules", name + ".safetensors"));
            var names = JsonSerializer.Deserialize<string[]>(file.Metadata["param_names"])!;
            var model = new ParameterBag(names.Select(n => (n, file[n].GetShape())));
            // The fixture also holds inputs, outputs and gradients: skip everything that is not a parameter.
            StateDictFile.LoadInto(model, file, strict: true, ignore: n => !names.Contains(n));
            foreach (var n in names)
                Assert.Equal(file[n].ToFloat32Array(convertFloat64: true), model.StateDict()[n].ToArray());
            // Without the ignore rule, the extra tensors are reported by name.
            var ex = Assert.Throws<ModelFormatException>(() => StateDictFile.LoadInto(model, file));
            Assert.Contains("unexpected tensor 'output'", ex.Message);
        }
    }

    [Fact]
    public void Rejects_tensors_whose_names_shapes_or_dtypes_do_not_fit_and_changes_nothing()
    {
        var writer = new SafetensorsWriter();
        writer.Add("0.weight", new float[4 * 4], 4, 4);  // wrong shape (needs 4 x 3)
        writer.Add("0.bias", new float[4], 4);
        writer.Add("2.weight", new long[8], 2, 4);         // integer dtype
        writer.Add("extra", new float[1], 1);              // not a parameter; 2.bias is missing
        var file = SafetensorsReader.Read(writer.ToArray(), "bad.safetensors");

        var model = SmallModel(3);
        var before = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var ex = Assert.Throws<ModelFormatException>(() => StateDictFile.LoadInto(model, file));
        Assert.StartsWith("bad.safetensors does not fit Sequential", ex.Message);
        Assert.Contains("tensor '0.weight' has shape (4, 4), the model's parameter has (4, 3)", ex.Message);
        Assert.Contains("tensor '2.weight' is I64", ex.Message);
        Assert.Contains("missing tensor '2.bias'", ex.Message);
        Assert.Contains("unexpected tensor 'extra'", ex.Message);
        foreach (var (name, p) in model.NamedParameters()) Assert.Equal(before[name], p.ToArray());

        // Not strict: missing and extra tensors are allowed, a wrong shape is still refused.
        var ex2 = Assert.Throws<ModelFormatException>(() => StateDictFile.LoadInto(model, file, strict: false));
        Assert.Contains("'0.weight'", ex2.Message);
        Assert.DoesNotContain("extra", ex2.Message);
    }

    [Fact]
    public void Loads_under_a_prefix_beside_other_checkpoint_tensors()
    {
        var model = SmallModel(5);
        var writer = new SafetensorsWriter();
        StateDictFile.AddTo(writer, model, prefix: "model.");
        writer.Add("optimizer.state.0.exp_avg", new float[12], 4, 3);
        var file = SafetensorsReader.Read(writer.ToArray());
        var other = SmallModel(6);
        StateDictFile.LoadInto(other, file, prefix: "model.");
        Assert.Equal(model.StateDict()["2.bias"].ToArray(), other.StateDict()["2.bias"].ToArray());
    }

    [Fact]
    public void Config_must_be_a_json_object()
    {
        Assert.Throws<ArgumentException>(() => StateDictFile.AddTo(new SafetensorsWriter(), SmallModel(1), "{not json"));
        Assert.Throws<ArgumentException>(() => StateDictFile.AddTo(new SafetensorsWriter(), SmallModel(1), "[1, 2]"));
        var writer = new SafetensorsWriter();
        writer.Metadata[StateDictFile.ConfigKey] = "{broken";
        var ex = Assert.Throws<ModelFormatException>(() => StateDictFile.ReadConfig(SafetensorsReader.Read(writer.ToArray(), "c.safetensors")));
        Assert.StartsWith("c.safetensors: metadata 'config'", ex.Message);
        Assert.Null(StateDictFile.ReadConfig(SafetensorsReader.Read(new SafetensorsWriter().ToArray())));
    }
}
