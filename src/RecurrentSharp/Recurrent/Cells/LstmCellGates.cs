using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent.Cells;

/// <summary>
/// One <see cref="LstmCell"/> step with its inner values: the pre-activations a = W_ih x + b_ih + W_hh h + b_hh
/// (B, 4H) in gate order i, f, g, o; the input gate i, forget gate f, candidate g and output gate o (B, H);
/// and the new state h', c' (B, H). Unbatched steps give (4H) and (H).
/// </summary>
public sealed record LstmCellGates(Tensor PreActivation, Tensor InputGate, Tensor ForgetGate, Tensor Candidate, Tensor OutputGate, Tensor H, Tensor C);
