using RecurrentSharp.Tensors;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Recurrent.Fused;

/// <summary>
/// Runs one layer of a fused recurrent module — all its directions — and records it in autograd as a
/// single node whose backward is backpropagation through time. The two directions of a bidirectional
/// layer are independent, so with two or more kernel threads they run side by side.
/// </summary>
internal static class FusedLayerNode
{
    /// <summary>
    /// <paramref name="input"/> is (T, B, I) time-major; <paramref name="h0"/> / <paramref name="c0"/> are
    /// (D, B, H) or null (zeros). Returns output (T, B, D·H), h_n (D, B, H) and, for LSTM, c_n.
    /// </summary>
    public static (Tensor Output, Tensor Hidden, Tensor? Cell) Run(CellSpec cell, Tensor input, Tensor? h0, Tensor? c0,
        IReadOnlyList<LayerWeights> directions, int hiddenSize, int[]? lengths)
    {
        int T = input.Size(0), B = input.Size(1), I = input.Size(2), H = hiddenSize, D = directions.Count;
        var parameters = directions.SelectMany(Parameters).ToArray();
        Tensor[] inputs = [input, .. h0 is null ? [] : new[] { h0 }, .. c0 is null ? [] : new[] { c0 }, .. parameters];
        bool record = GradNode.ShouldRecord(inputs);

        var passes = new DirectionPass[D];
        for (int d = 0; d < D; d++)
            passes[d] = Create(cell, directions[d], input, T, B, I, H, reverse: d == 1, lengths, record);

        // Not zeroed: every direction writes its columns of every (t, b) slot, h_t or 0 past a sequence's end (WriteOutput)
        var output = GC.AllocateUninitializedArray<float>(T * B * D * H);
        RunDirections(D, d => passes[d].Forward(
            h0 is null ? default : h0.Data.Slice(d * B * H, B * H),
            c0 is null ? default : c0.Data.Slice(d * B * H, B * H),
            output, D * H, d * H));

        var outputTensor = Tensor.Wrap(output, T, B, D * H);
        var hidden = Tensor.Wrap(passes.SelectMany(p => p.FinalHidden).ToArray(), D, B, H);
        var cellState = cell.HasCellState ? Tensor.Wrap(passes.SelectMany(p => p.FinalCell!).ToArray(), D, B, H) : null;
        if (!record) return (outputTensor, hidden, cellState);

        Tensor[] results = cellState is null ? [outputTensor, hidden] : [outputTensor, hidden, cellState];
        GradNode.Record(cell.Name, results, inputs, grads =>
        {
            // Read in place, not copied: T·B·D·H floats (3–7 MB at the bench sizes), a fresh array per pass for the collector
            ReadOnlyMemory<float> outputGrad = grads[0] is { } dy ? dy.Storage.AsMemory(dy.Offset, dy.Length) : default;
            var hiddenGrad = grads[1]?.Data.ToArray();
            var cellGrad = grads.Length > 2 ? grads[2]?.Data.ToArray() : null;
            var inputGrads = new float[D][];
            var stateGrads = new (float[] H0, float[]? C0)[D];
            var weightGrads = new LayerGradients[D];
            RunDirections(D, d =>
            {
                inputGrads[d] = input.RequiresGrad ? GC.AllocateUninitializedArray<float>(T * B * I) : null!;   // written whole by dX = dG · W_ih
                weightGrads[d] = new LayerGradients(directions[d]);
                stateGrads[d] = passes[d].Backward(outputGrad, D * H, d * H,
                    hiddenGrad?.AsSpan(d * B * H, B * H).ToArray(), cellGrad?.AsSpan(d * B * H, B * H).ToArray(),
                    inputGrads[d], weightGrads[d]);
                passes[d].Release();   // the activations have served; the pool lends them to the next pass
            });

            var result = new List<Tensor?>();
            if (input.RequiresGrad)
            {
                for (int d = 1; d < D; d++) System.Numerics.Tensors.TensorPrimitives.Add(inputGrads[0], inputGrads[d], inputGrads[0]);
                result.Add(Tensor.Wrap(inputGrads[0], T, B, I));
            }
            else result.Add(null);
            if (h0 is not null) result.Add(Tensor.Wrap(stateGrads.SelectMany(g => g.H0).ToArray(), D, B, H));
            if (c0 is not null) result.Add(Tensor.Wrap(stateGrads.SelectMany(g => g.C0!).ToArray(), D, B, H));
            for (int d = 0; d < D; d++)
            {
                var g = weightGrads[d];
                var w = directions[d];
                result.Add(Tensor.Wrap(g.InputWeights, w.InputWeightTensor.GetShape()));
                result.Add(Tensor.Wrap(g.HiddenWeights, w.HiddenWeightTensor.GetShape()));
                if (w.InputBiasTensor is not null) result.Add(Tensor.Wrap(g.InputBias!, w.InputBiasTensor.GetShape()));
                if (w.HiddenBiasTensor is not null) result.Add(Tensor.Wrap(g.HiddenBias!, w.HiddenBiasTensor.GetShape()));
                if (w.PeepholeTensor is not null) result.Add(Tensor.Wrap(g.Peephole!, w.PeepholeTensor.GetShape()));
            }
            // Every gradient here wraps an array made for it alone, so a parameter with no gradient yet can take it as it is.
            foreach (var t in result) if (t is not null) t.SoleOwner = true;
            return [.. result];
        });
        return (outputTensor, hidden, cellState);
    }

    /// <summary>The parameter tensors of one direction, in the order the node's inputs list them.</summary>
    private static IEnumerable<Tensor> Parameters(LayerWeights w)
    {
        yield return w.InputWeightTensor;
        yield return w.HiddenWeightTensor;
        if (w.InputBiasTensor is not null) yield return w.InputBiasTensor;
        if (w.HiddenBiasTensor is not null) yield return w.HiddenBiasTensor;
        if (w.PeepholeTensor is not null) yield return w.PeepholeTensor;
    }

    private static DirectionPass Create(CellSpec cell, LayerWeights weights, Tensor input, int steps, int batch, int inputSize, int hidden,
        bool reverse, int[]? lengths, bool keep) => cell.Kind switch
    {
        CellKind.Rnn => new ElmanDirection(cell.Activation, weights, input, steps, batch, inputSize, hidden, reverse, lengths, keep),
        CellKind.Lstm => new LstmDirection(cell.Peephole, cell.CoupledGates, weights, input, steps, batch, inputSize, hidden, reverse, lengths, keep),
        _ => new GruDirection(cell.Gru == GruVariant.PyTorch, weights, input, steps, batch, inputSize, hidden, reverse, lengths, keep),
    };

    /// <summary>Runs the directions; two of them run in parallel when at least two kernel threads are allowed.</summary>
    private static void RunDirections(int directions, Action<int> body)
    {
        int threads = KernelThreads.Count;
        if (directions == 1 || threads < 2)
        {
            for (int d = 0; d < directions; d++) body(d);
            return;
        }
        int each = Math.Max(1, threads / directions);
        var reverse = Task.Run(() =>
        {
            using var limit = KernelThreads.Limit(each);
            body(1);
        });
        using (KernelThreads.Limit(each)) body(0);
        reverse.GetAwaiter().GetResult();
    }
}
