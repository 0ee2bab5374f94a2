using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>A module that maps one tensor to one tensor (so it can be stacked or applied at every time step).</summary>
public interface ILayer
{
    /// <summary>Applies the layer.</summary>
    Tensor Forward(Tensor input);
}
