using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>The ONNX values a fused recurrent layer becomes.</summary>
/// <param name="Output">The top layer's outputs, time-major (T, B, D·H), zero past each sequence's length.</param>
/// <param name="Hidden">The final hidden states (L·D, B, H), row layer·D + direction.</param>
/// <param name="Cell">The final cell states (LSTM), or null.</param>
/// <param name="TopHidden">The top layer's final hidden states (D, B, H).</param>
internal sealed record OnnxRecurrentValues(string Output, string Hidden, string? Cell, string TopHidden);

/// <summary>
/// Writes a <see cref="RecurrentLayer"/> (Rnn, Lstm, Gru; stacked, bidirectional) as one ONNX RNN / LSTM / GRU
/// node per layer, the way torch.onnx.export does (fixtures README §11.4), plus what PyTorch never writes:
/// sequence_lens for padded batches, peepholes (input P) and coupled gates (input_forget = 1), Cho's GRU
/// (linear_before_reset = 0) and the identity Elman cell (activation Affine with α = 1, β = 0).
/// <para>
/// Gate order: ONNX stacks the LSTM blocks i, o, f, c where PyTorch stacks i, f, g, o; the GRU blocks z, r, h
/// where PyTorch stacks r, z, n. ONNX block j is our block <see cref="GateOrder"/>[j] (−1: a zero block, the
/// forget gate of a coupled LSTM, which ONNX computes as 1 − i). The ONNX bias B is [W_b | R_b] per direction.
/// </para>
/// </summary>
internal static class OnnxRecurrentNodes
{
    /// <summary>For each ONNX gate block, the block of our (PyTorch-order) weights it is, or −1 for zeros.</summary>
    public static int[] GateOrder(CellSpec cell) => cell.Kind switch
    {
        CellKind.Lstm => cell.CoupledGates ? [0, 2, -1, 1] : [0, 3, 1, 2],   // ours i,g,o (coupled) or i,f,g,o
        CellKind.Gru => [1, 0, 2],                                         // ours r,z,n -> z,r,h
        _ => [0],
    };

    /// <summary>For each ONNX peephole row (i, o, f), the row of our (i, [f], o) peephole matrix, or −1 for zeros.</summary>
    private static int[] PeepholeOrder(CellSpec cell) => cell.CoupledGates ? [0, 1, -1] : [0, 2, 1];

    /// <summary>
    /// Emits the layer on the time-major input <paramref name="x"/> (T, B, I). <paramref name="lengths"/> is an
    /// int32 (B) value or null (all T steps); <paramref name="h0"/>, <paramref name="c0"/> are (L·D, B, H) values or null (zeros).
    /// </summary>
    public static OnnxRecurrentValues Emit(OnnxGraphBuilder g, RecurrentLayer layer, string x, string? lengths, string? h0, string? c0, string prefix)
    {
        var cell = layer.Cell;
        int H = layer.HiddenSize, D = layer.Directions, L = layer.NumLayers;
        string op = cell.Kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };
        var order = GateOrder(cell);
        int onnxGates = order.Length;
        var hiddens = new List<string>();
        var cells = new List<string>();
        string top = "";
        for (int l = 0; l < L; l++)
        {
            int input = l == 0 ? layer.InputSize : D * H;
            var w = new float[D * onnxGates * H * input];
            var r = new float[D * onnxGates * H * H];
            var b = new float[D * 2 * onnxGates * H];
            var p = cell.Peephole ? new float[D * 3 * H] : null;
            for (int d = 0; d < D; d++)
            {
                var weights = layer.WeightsOf(l, d);
                for (int j = 0; j < onnxGates; j++)
                {
                    if (order[j] < 0) continue;   // coupled LSTM's forget block stays zero
                    int ours = order[j];
                    weights.InputWeights.Slice(ours * H * input, H * input).CopyTo(w.AsSpan((d * onnxGates + j) * H * input));
                    weights.HiddenWeights.Slice(ours * H * H, H * H).CopyTo(r.AsSpan((d * onnxGates + j) * H * H));
                    if (weights.HasBias)
                    {
                        weights.InputBias.Slice(ours * H, H).CopyTo(b.AsSpan((d * 2 * onnxGates + j) * H));
                        weights.HiddenBias.Slice(ours * H, H).CopyTo(b.AsSpan((d * 2 * onnxGates + onnxGates + j) * H));
                    }
                }
                if (p is not null)
                {
                    var peepholeOrder = PeepholeOrder(cell);
                    for (int j = 0; j < 3; j++)
                        if (peepholeOrder[j] >= 0)
                            weights.Peephole.Slice(peepholeOrder[j] * H, H).CopyTo(p.AsSpan((d * 3 + j) * H));
                }
            }
            string wName = g.Weight($"{prefix}W_l{l}", w, D, onnxGates * H, input);
            string rName = g.Weight($"{prefix}R_l{l}", r, D, onnxGates * H, H);
            string bName = layer.HasBias ? g.Weight($"{prefix}B_l{l}", b, D, 2 * onnxGates * H) : "";
            string LayerState(string? state) => state is null ? ""
                : L == 1 ? state
                : g.Node("Slice", [state, g.Int64s("starts", [l * D]), g.Int64s("ends", [l * D + D]), g.Int64s("axes", [0])]);
            var inputs = new List<string> { x, wName, rName, bName, lengths ?? "", LayerState(h0) };
            if (cell.Kind == CellKind.Lstm)
            {
                inputs.Add(LayerState(c0));
                if (p is not null) inputs.Add(g.Weight($"{prefix}P_l{l}", p, D, 3 * H));
            }
            while (inputs.Count > 0 && inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);

            var attributes = new List<OnnxAttribute> { OnnxAttribute.OfInt("hidden_size", H) };
            if (D == 2) attributes.Add(OnnxAttribute.OfString("direction", "bidirectional"));
            if (cell.Kind == CellKind.Gru) attributes.Add(OnnxAttribute.OfInt("linear_before_reset", cell.Gru == GruVariant.PyTorch ? 1 : 0));
            if (cell.Kind == CellKind.Lstm && cell.CoupledGates) attributes.Add(OnnxAttribute.OfInt("input_forget", 1));
            if (cell.Kind == CellKind.Rnn)
            {
                string activation = cell.Activation switch { Nonlinearity.Relu => "Relu", Nonlinearity.Identity => "Affine", _ => "Tanh" };
                attributes.Add(OnnxAttribute.OfStrings("activations", Enumerable.Repeat(activation, D).ToArray()));
                if (cell.Activation == Nonlinearity.Identity)
                {
                    // Affine(x) = α x + β with α = 1, β = 0: the identity
                    attributes.Add(OnnxAttribute.OfFloats("activation_alpha", Enumerable.Repeat(1f, D).ToArray()));
                    attributes.Add(OnnxAttribute.OfFloats("activation_beta", Enumerable.Repeat(0f, D).ToArray()));
                }
            }
            var outputs = g.Node(op, [.. inputs], cell.Kind == CellKind.Lstm ? 3 : 2, [.. attributes]);
            // Y is (T, D, B, H): to (T, B, D·H) = [forward | reverse] at each step
            x = D == 1 ? g.Squeeze(outputs[0], 1) : g.Reshape(g.Transpose(outputs[0], 0, 2, 1, 3), 0, 0, -1);
            hiddens.Add(outputs[1]);
            if (cell.Kind == CellKind.Lstm) cells.Add(outputs[2]);
            top = outputs[1];
        }
        string hidden = L == 1 ? hiddens[0] : g.Node("Concat", [.. hiddens], [OnnxAttribute.OfInt("axis", 0)]);
        string? cellState = cells.Count == 0 ? null : L == 1 ? cells[0] : g.Node("Concat", [.. cells], [OnnxAttribute.OfInt("axis", 0)]);
        return new OnnxRecurrentValues(x, hidden, cellState, top);
    }

    /// <summary>The top layer's final state as one (B, D·H) row per sequence: [forward | reverse].</summary>
    public static string LastState(OnnxGraphBuilder g, RecurrentLayer layer, OnnxRecurrentValues values) =>
        layer.Directions == 1 ? g.Squeeze(values.TopHidden, 0) : g.Reshape(g.Transpose(values.TopHidden, 1, 0, 2), 0, -1);
}
