using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// Applies one layer at every time step of a (batch, time, ...) or (time, batch, ...) tensor, with
/// the same weights at every step (Keras' TimeDistributed). The two leading axes are merged, the layer
/// runs once on the merged batch, and they are split again.
/// </summary>
public sealed class TimeDistributed : Module, ILayer
{
    /// <summary>Wraps <paramref name="layer"/>.</summary>
    public TimeDistributed(ILayer layer)
    {
        Layer = layer;
        if (layer is Module m) RegisterModule("module", m);
    }

    /// <summary>The wrapped layer.</summary>
    public ILayer Layer { get; }

    /// <summary>Maps (A, B, ...) to (A, B, ...') by applying the layer to each of the A·B slices.</summary>
    public Tensor Forward(Tensor input)
    {
        if (input.Rank < 3)
            throw new TensorShapeException("TimeDistributed", $"needs at least (batch, time, features), got {TensorShape.Format(input.Shape)}");
        int a = input.Size(0), b = input.Size(1);
        var merged = input.Reshape([a * b, .. input.Shape[2..]]);
        var output = Layer.Forward(merged);
        return output.Reshape([a, b, .. output.Shape[1..]]);
    }
}
