using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// What a recurrent layer returns, as PyTorch's (output, h_n) or (output, (h_n, c_n)).
/// </summary>
/// <param name="Output">Every step's top-layer hidden state: (T, B, D·H), or (B, T, D·H) batch-first, or (T, D·H) unbatched; 0 at padded steps.</param>
/// <param name="Hidden">h_n: the final hidden state of every layer and direction, (L·D, B, H) (never batch-first); index layer·D + direction.</param>
/// <param name="Cell">c_n for LSTM layers (same shape as h_n), else null.</param>
public sealed record RecurrentOutput(Tensor Output, Tensor Hidden, Tensor? Cell);
