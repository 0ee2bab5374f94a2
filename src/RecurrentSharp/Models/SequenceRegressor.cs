using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Models;

/// <summary>The settings of a <see cref="SequenceRegressor"/>, stored with a saved model so it can be rebuilt.</summary>
/// <param name="Outputs">Values predicted per sequence (the forecast horizon H).</param>
/// <param name="HiddenSize">The recurrent hidden size.</param>
/// <param name="InputSize">Features per time step (1 for a univariate series).</param>
/// <param name="Cell">The cell name (see <see cref="RecurrentEncoder.CellNames"/>).</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="Dropout">Dropout between stacked layers.</param>
public sealed record SequenceRegressorConfig(int Outputs, int HiddenSize, int InputSize = 1, string Cell = "lstm", int Layers = 1, float Dropout = 0f);

/// <summary>
/// Many-to-one regression, e.g. forecasting: a window x_1 … x_T (B, T, F) runs through a recurrent
/// encoder, and a linear layer maps its final state h_T to H real outputs, ŷ = W·h_T + b (B, H).
/// </summary>
public sealed class SequenceRegressor : Module
{
    /// <summary>Builds the model from its settings.</summary>
    public SequenceRegressor(SequenceRegressorConfig config, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        if (config.Outputs < 1) throw new ArgumentOutOfRangeException(nameof(config), "a regressor needs at least one output");
        Config = config;
        Encoder = RecurrentEncoder.Create(config.Cell, config.InputSize, config.HiddenSize, config.Layers, bidirectional: false, config.Dropout, random);
        if (Encoder is Module m) RegisterModule("encoder", m);
        Head = RegisterModule("head", new Linear(Encoder.OutputSize, config.Outputs, random: random));
    }

    /// <summary>The settings.</summary>
    public SequenceRegressorConfig Config { get; }

    /// <summary>The recurrent encoder (batch-first).</summary>
    public IRecurrentLayer Encoder { get; }

    /// <summary>The output layer.</summary>
    public Linear Head { get; }

    /// <summary>Predictions (B, H) for windows (B, T, F) of equal length T.</summary>
    public Tensor Forward(Tensor windows)
    {
        if (windows.Rank != 3) throw new TensorShapeException(nameof(SequenceRegressor), $"input must be (batch, time, {Config.InputSize}), got {TensorShape.Format(windows.Shape)}");
        var lengths = Enumerable.Repeat(windows.Size(1), windows.Size(0)).ToArray();
        var result = Encoder.Forward(windows, null, null, lengths);
        return Head.Forward(RecurrentEncoder.LastState(Encoder, result, lengths));
    }
}
