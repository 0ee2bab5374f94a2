using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>
/// Every PyTorch fixture (shared/fixtures/torch, or the folder named by RNN_TORCH_FIXTURES) is reproduced:
/// outputs, final states and every gradient, per tensor within 1e-5 · max(1, max|ref|) (fixtures README §7).
/// </summary>
public class TorchParityTests
{
    private const double Tolerance = 1e-5;

    private static string FixtureRoot()
    {
        string? custom = Environment.GetEnvironmentVariable("RNN_TORCH_FIXTURES");
        return string.IsNullOrEmpty(custom) ? SharedFolder.Fixture("torch") : custom;
    }

    public static TheoryData<string> ModuleFixtures() => Enumerate("modules");

    public static TheoryData<string> CellFixtures() => Enumerate("cells");

    private static TheoryData<string> Enumerate(string kind)
    {
        var data = new TheoryData<string>();
        string folder = Path.Combine(FixtureRoot(), kind);
        if (Directory.Exists(folder))
            foreach (var file in Directory.EnumerateFiles(folder, "*.safetensors").Order())
                data.Add(Path.GetRelativePath(FixtureRoot(), file));
        return data;
    }

    [Fact]
    public void The_fixture_folder_holds_fixtures()
    {
        string root = FixtureRoot();
        Assert.True(Directory.Exists(root), $"fixture folder {root} does not exist");
        int count = Directory.EnumerateFiles(root, "*.safetensors", SearchOption.AllDirectories).Count();
        Assert.True(count > 0, $"fixture folder {root} holds no *.safetensors fixture");
    }

    [Theory]
    [MemberData(nameof(ModuleFixtures))]
    public void Module_matches_pytorch(string relativePath)
    {
        var fx = TorchFixture.Load(Path.Combine(FixtureRoot(), relativePath));
        string mode = fx.String("mode");
        int inputSize = fx.Int("input_size"), hidden = fx.Int("hidden_size"), layers = fx.Int("num_layers");
        bool bias = fx.Bool("bias"), batchFirst = fx.Bool("batch_first"), bidirectional = fx.Bool("bidirectional");
        RecurrentLayer module = mode switch
        {
            "RNN_TANH" => new Rnn(inputSize, hidden, layers, Nonlinearity.Tanh, bias, batchFirst, 0f, bidirectional),
            "RNN_RELU" => new Rnn(inputSize, hidden, layers, Nonlinearity.Relu, bias, batchFirst, 0f, bidirectional),
            "LSTM" => new Lstm(inputSize, hidden, layers, bias, batchFirst, 0f, bidirectional),
            "GRU" => new Gru(inputSize, hidden, layers, bias, batchFirst, 0f, bidirectional),
            _ => throw new InvalidDataException($"{fx.Name}: unknown mode {mode}"),
        };
        module.LoadStateDict(module.NamedParameters().ToDictionary(p => p.Key, p => fx[p.Key]));

        var input = fx["input"].Clone().Detach().WithGrad();
        var h0 = fx.Has("h0") ? fx["h0"].Detach().WithGrad() : null;
        var c0 = fx.Has("c0") ? fx["c0"].Detach().WithGrad() : null;
        int[]? lengths = fx.Integers.TryGetValue("lengths", out var l) ? l.Select(v => (int)v).ToArray() : null;

        var result = module.Forward(input, h0, c0, lengths);
        Compare(fx, "output", result.Output);
        Compare(fx, "h_n", result.Hidden);
        if (fx.Has("c_n")) Compare(fx, "c_n", result.Cell!);

        // loss = Σ output·grad_output + Σ h_n·grad_h_n [+ Σ c_n·grad_c_n]; padded outputs are constant 0.
        var loss = (result.Output * fx["grad_output"]).Sum() + (result.Hidden * fx["grad_h_n"]).Sum();
        if (result.Cell is not null) loss += (result.Cell * fx["grad_c_n"]).Sum();
        Assert.Equal(fx["loss"].Item(), loss.Item(), 1e-4 * Math.Max(1, Math.Abs(fx["loss"].Item())));
        loss.Backward();
        Compare(fx, "grad_input", input.Grad!);
        if (h0 is not null) Compare(fx, "grad_h0", h0.Grad!);
        if (c0 is not null) Compare(fx, "grad_c0", c0.Grad!);
        foreach (var (name, p) in module.NamedParameters()) Compare(fx, "grad." + name, p.Grad!);
    }

    [Theory]
    [MemberData(nameof(CellFixtures))]
    public void Cell_matches_pytorch(string relativePath)
    {
        var fx = TorchFixture.Load(Path.Combine(FixtureRoot(), relativePath));
        string mode = fx.String("mode");
        int inputSize = fx.Int("input_size"), hidden = fx.Int("hidden_size");
        bool bias = fx.Bool("bias");
        RecurrentCell cell = mode switch
        {
            "RNN_TANH" => new RnnCell(inputSize, hidden, bias, Nonlinearity.Tanh),
            "RNN_RELU" => new RnnCell(inputSize, hidden, bias, Nonlinearity.Relu),
            "LSTM" => new LstmCell(inputSize, hidden, bias),
            "GRU" => new GruCell(inputSize, hidden, bias),
            _ => throw new InvalidDataException($"{fx.Name}: unknown mode {mode}"),
        };
        cell.LoadStateDict(cell.NamedParameters().ToDictionary(p => p.Key, p => fx[p.Key]));
        var input = fx["input"].Clone().Detach().WithGrad();
        var h0 = fx.Has("h0") ? fx["h0"].Detach().WithGrad() : null;
        var c0 = fx.Has("c0") ? fx["c0"].Detach().WithGrad() : null;

        Tensor loss;
        if (cell is LstmCell lstm)
        {
            var (h1, c1) = lstm.Forward(input, h0, c0);
            Compare(fx, "h1", h1);
            Compare(fx, "c1", c1);
            loss = (h1 * fx["grad_h1"]).Sum() + (c1 * fx["grad_c1"]).Sum();
        }
        else
        {
            var h1 = cell is RnnCell rnn ? rnn.Forward(input, h0) : ((GruCell)cell).Forward(input, h0);
            Compare(fx, "h1", h1);
            loss = (h1 * fx["grad_h1"]).Sum();
        }
        loss.Backward();
        Compare(fx, "grad_input", input.Grad!);
        if (h0 is not null) Compare(fx, "grad_h0", h0.Grad!);
        if (c0 is not null) Compare(fx, "grad_c0", c0.Grad!);
        foreach (var (name, p) in cell.NamedParameters()) Compare(fx, "grad." + name, p.Grad!);
    }

    private static void Compare(TorchFixture fx, string name, Tensor actual)
    {
        Assert.NotNull(actual);
        TensorAssert.Close(fx[name], actual, Tolerance, $"{fx.Name} {name}");
    }
}
