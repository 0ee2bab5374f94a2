using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Builds the batch-first recurrent encoder named on the command line (<c>--cell</c>): any fused cell
/// (rnn, rnn-relu, lstm, lstm-peephole, lstm-coupled, gru, gru-cho, ...) or a Jordan network (<c>jordan</c>),
/// stacked and made bidirectional as asked.
/// </summary>
public static class RecurrentEncoder
{
    /// <summary>The cell names <see cref="Create"/> accepts.</summary>
    public static readonly string[] CellNames = ["rnn", "rnn-relu", "rnn-identity", "lstm", "lstm-peephole", "lstm-coupled", "gru", "gru-cho", "jordan"];

    /// <summary>Creates the encoder; its output has <c>hiddenSize</c> features, twice that when bidirectional.</summary>
    public static IRecurrentLayer Create(string cell, int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false,
        float dropout = 0f, RandomGenerator? random = null)
    {
        random ??= RandomGenerator.Default;
        if (!string.Equals(cell, "jordan", StringComparison.OrdinalIgnoreCase))
            return RecurrentLayer.Create(CellSpec.Parse(cell), inputSize, hiddenSize, numLayers, batchFirst: true, dropout: dropout,
                bidirectional: bidirectional, random: random);

        // Jordan layers feed back their own output (of size hiddenSize); a stack feeds each layer's outputs to the next.
        var layers = new List<IRecurrentLayer>();
        int width = inputSize;
        for (int l = 0; l < numLayers; l++)
        {
            IRecurrentLayer layer = bidirectional
                ? new Bidirectional(Jordan(width, hiddenSize, random), Jordan(width, hiddenSize, random))
                : Jordan(width, hiddenSize, random);
            layers.Add(layer);
            width = layer.OutputSize;
        }
        return layers.Count == 1 ? layers[0] : new StackedRnn(layers, dropout, random);
    }

    private static JordanRnn Jordan(int input, int hidden, RandomGenerator random) =>
        new(input, hidden, hidden, outputNonlinearity: Nonlinearity.Tanh, batchFirst: true, random: random);

    /// <summary>
    /// A fixed-size summary of each sequence: for a fused layer its final states (h_n of the top layer,
    /// both directions side by side); otherwise the output at each sequence's last valid step. Shape (B, OutputSize).
    /// </summary>
    public static Tensor LastState(IRecurrentLayer encoder, RecurrentOutput result, int[] lengths)
    {
        if (encoder is RecurrentLayer fused)
        {
            int d = fused.Directions;
            var top = result.Hidden.Slice(0, (fused.NumLayers - 1) * d, d);      // (D, B, H)
            return d == 1 ? top.Squeeze(0) : top.Permute(1, 0, 2).Reshape(top.Size(1), d * fused.HiddenSize);
        }
        var output = result.Output;                                               // (B, T, F)
        int batch = output.Size(0), steps = output.Size(1);
        var rows = new int[batch];
        for (int b = 0; b < batch; b++) rows[b] = b * steps + lengths[b] - 1;
        return output.Reshape(batch * steps, output.Size(2)).IndexSelect(0, rows);
    }
}
