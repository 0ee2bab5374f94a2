using RecurrentSharp.Recurrent;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Nn;

/// <summary>
/// PyTorch state dicts load as they are: every fixture file is a safetensors file written from a PyTorch
/// module's state_dict (plus inputs and outputs), and its parameters load into the matching layer by name.
/// </summary>
public class TorchInteropTests
{
    [Theory]
    [InlineData("modules/lstm_L2_bi_bf_T30_B4_I32_H128_h0.safetensors")]
    [InlineData("modules/gru_L3_bi_T6_B2_I5_H8.safetensors")]
    [InlineData("modules/rnn_relu_L2_bi_nobias_T10_B3_I5_H64_h0.safetensors")]
    public void A_pytorch_state_dict_loads_into_the_matching_layer_and_round_trips(string name)
    {
        var file = SafetensorsReader.Read(SharedFolder.Fixture("torch", name));
        using var config = System.Text.Json.JsonDocument.Parse(file.Metadata["config"]);
        var c = config.RootElement;
        var cell = c.GetProperty("mode").GetString() switch { "LSTM" => "lstm", "GRU" => "gru", "RNN_RELU" => "rnn-relu", _ => "rnn" };
        var layer = RecurrentLayer.Create(CellSpec.Parse(cell), c.GetProperty("input_size").GetInt32(), c.GetProperty("hidden_size").GetInt32(),
            c.GetProperty("num_layers").GetInt32(), c.GetProperty("bias").GetBoolean(), bidirectional: c.GetProperty("bidirectional").GetBoolean());
        // Everything that is not a parameter (inputs, outputs, gradients) is ignored; every parameter must be there.
        StateDictFile.LoadInto(layer, file, strict: true, ignore: n => !n.StartsWith("weight_", StringComparison.Ordinal) && !n.StartsWith("bias_", StringComparison.Ordinal));
        foreach (var (key, p) in layer.NamedParameters())
            Assert.Equal(file[key].ToFloat32Array(), p.ToArray());

        // Written back, the file holds exactly PyTorch's names and shapes (what torch's load_state_dict(strict=True) checks).
        var bytes = new SafetensorsWriter();
        StateDictFile.AddTo(bytes, layer);
        var written = SafetensorsReader.Read(bytes.ToArray());
        var torchNames = System.Text.Json.JsonDocument.Parse(file.Metadata["param_names"]).RootElement.EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(torchNames.Order(), written.Names.Order());
        foreach (var n in torchNames) Assert.Equal(file[n!].GetShape(), written[n!].GetShape());
    }
}
