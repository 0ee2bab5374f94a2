namespace RecurrentSharp.Recurrent;

/// <summary>The kind of recurrent cell.</summary>
public enum CellKind
{
    /// <summary>Elman (simple) RNN.</summary>
    Rnn,

    /// <summary>Long short-term memory.</summary>
    Lstm,

    /// <summary>Gated recurrent unit.</summary>
    Gru,
}

/// <summary>Which GRU formulation: where the reset gate acts.</summary>
public enum GruVariant
{
    /// <summary>PyTorch / cuDNN: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (Keras: reset_after=True).</summary>
    PyTorch,

    /// <summary>Cho et al. 2014: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), the reset applied before the product.</summary>
    Cho,
}

/// <summary>A full description of a cell: its kind and variant, which fixes the gate count and the equations.</summary>
/// <param name="Kind">Elman, LSTM or GRU.</param>
/// <param name="Activation">The Elman nonlinearity (ignored for LSTM and GRU).</param>
/// <param name="Peephole">LSTM with peephole connections from the cell state to the gates.</param>
/// <param name="CoupledGates">LSTM whose forget gate is 1 - input gate (gates i, g, o).</param>
/// <param name="Gru">The GRU formulation.</param>
public sealed record CellSpec(CellKind Kind, Nonlinearity Activation = Nonlinearity.Tanh, bool Peephole = false, bool CoupledGates = false, GruVariant Gru = GruVariant.PyTorch)
{
    /// <summary>The number of gate blocks G in the stacked weight matrices (G·H rows).</summary>
    public int GateCount => Kind switch
    {
        CellKind.Rnn => 1,
        CellKind.Lstm => CoupledGates ? 3 : 4,
        _ => 3,
    };

    /// <summary>True when the cell carries a second state c (LSTM).</summary>
    public bool HasCellState => Kind == CellKind.Lstm;

    /// <summary>
    /// Parses a cell name as used on the command line: rnn (tanh), rnn-tanh, rnn-relu, rnn-identity, lstm,
    /// lstm-peephole, lstm-coupled, lstm-peephole-coupled, gru, gru-cho.
    /// </summary>
    public static CellSpec Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "rnn" or "rnn-tanh" or "elman" => new CellSpec(CellKind.Rnn),
        "rnn-relu" => new CellSpec(CellKind.Rnn, Nonlinearity.Relu),
        "rnn-identity" or "rnn-linear" => new CellSpec(CellKind.Rnn, Nonlinearity.Identity),
        "lstm" => new CellSpec(CellKind.Lstm),
        "lstm-peephole" => new CellSpec(CellKind.Lstm, Peephole: true),
        "lstm-coupled" => new CellSpec(CellKind.Lstm, CoupledGates: true),
        "lstm-peephole-coupled" => new CellSpec(CellKind.Lstm, Peephole: true, CoupledGates: true),
        "gru" => new CellSpec(CellKind.Gru),
        "gru-cho" => new CellSpec(CellKind.Gru, Gru: GruVariant.Cho),
        _ => throw new ArgumentException($"Unknown cell '{name}': expected rnn, rnn-relu, rnn-identity, lstm, lstm-peephole, lstm-coupled, lstm-peephole-coupled, gru or gru-cho."),
    };

    /// <summary>A short name: rnn-tanh, lstm, lstm-peephole, lstm-coupled, gru, gru-cho, ...</summary>
    public string Name => Kind switch
    {
        CellKind.Rnn => "rnn-" + Activation.ToString().ToLowerInvariant(),
        CellKind.Lstm => "lstm" + (Peephole ? "-peephole" : "") + (CoupledGates ? "-coupled" : ""),
        _ => Gru == GruVariant.Cho ? "gru-cho" : "gru",
    };
}
