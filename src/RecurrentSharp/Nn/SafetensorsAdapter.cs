using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// Where safetensors' named arrays meet <see cref="Tensor"/>: the format floor knows only shapes and
/// float arrays, so the conversion both ways lives here, on the floor that owns tensors and modules.
/// </summary>
public static class SafetensorsAdapter
{
    /// <summary>A float32 <see cref="Tensor"/> with the file's shape (see <see cref="SafetensorsTensor.ToFloat32Array"/>).</summary>
    public static Tensor ToTensor(this SafetensorsTensor tensor, bool convertFloat64 = false) =>
        Tensor.Wrap(tensor.ToFloat32Array(convertFloat64), tensor.GetShape());

    /// <summary>Adds a float32 tensor under <paramref name="name"/> with its shape.</summary>
    public static SafetensorsWriter Add(this SafetensorsWriter writer, string name, Tensor tensor) =>
        writer.Add(name, (ReadOnlySpan<float>)tensor.Data, tensor.GetShape());
}
