using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// Makes vanishing and exploding gradients visible: measures ‖∂loss/∂h_t‖ for every time step t of a
/// one-layer, one-direction recurrent layer. The layer is run one step at a time with its own weights
/// and equations, each h_t is kept, and the loss (a function of the final state) is back-propagated.
/// For a tanh RNN the norms shrink roughly geometrically going back from t = T; an LSTM's cell state
/// carries them much further.
/// </summary>
public static class HiddenGradientProbe
{
    /// <summary>
    /// Returns ‖∂loss/∂h_t‖ (Frobenius norm over the batch) for t = 1..T (element 0 is the first step).
    /// <paramref name="loss"/> maps the final hidden state (B, H) to a scalar.
    /// </summary>
    public static double[] Measure(RecurrentLayer layer, Tensor input, Func<Tensor, Tensor> loss)
    {
        if (layer.NumLayers != 1 || layer.Bidirectional)
            throw new ArgumentException("HiddenGradientProbe measures one-layer, one-direction layers.");
        if (layer.Stateful) throw new ArgumentException("HiddenGradientProbe: switch off stateful mode first.");
        int timeAxis = layer.BatchFirst ? 1 : 0;
        int steps = input.Size(timeAxis);
        var states = new Tensor[steps];
        Tensor? h = null, c = null;
        for (int t = 0; t < steps; t++)
        {
            var result = layer.Forward(input.Slice(timeAxis, t, 1), h, c);
            h = result.Hidden.RetainGrad();
            c = result.Cell;
            states[t] = h;
        }
        foreach (var p in layer.Parameters()) p.ZeroGrad();
        loss(h!.Squeeze(0)).Backward();
        var norms = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            double sum = 0;
            if (states[t].Grad is { } g)
                foreach (float v in g.Data) sum += (double)v * v;
            norms[t] = Math.Sqrt(sum);
        }
        foreach (var p in layer.Parameters()) p.ZeroGrad();
        return norms;
    }
}
