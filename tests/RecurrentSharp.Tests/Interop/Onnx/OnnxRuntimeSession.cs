using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Tensors;
using Tensor = RecurrentSharp.Tensors.Tensor;

namespace RecurrentSharp.Tests.Interop.Onnx;

/// <summary>Runs an exported model in ONNX Runtime (CPU) from its bytes, and compares outputs with our own.</summary>
internal static class OnnxRuntimeSession
{
    public static Dictionary<string, (float[] Values, int[] Shape)> Run(OnnxModel model, params NamedOnnxValue[] inputs) =>
        Run(OnnxWriter.ToArray(model), inputs);

    public static Dictionary<string, (float[] Values, int[] Shape)> Run(byte[] model, params NamedOnnxValue[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.ToArray(), t.Dimensions.ToArray());
        });
    }

    public static NamedOnnxValue Floats(string name, Tensor t) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(t.ToArray(), t.GetShape()));

    public static NamedOnnxValue Floats(string name, float[] values, params int[] shape) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(values, shape));

    public static NamedOnnxValue Int32s(string name, int[] values) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(values, [values.Length]));

    public static NamedOnnxValue Int64s(string name, int[] values, params int[] shape) =>
        NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(values.Select(v => (long)v).ToArray(), shape));

    /// <summary>max|ours − ORT| ≤ 1e-5 · max(1, max|ours|), with the same shape.</summary>
    public static void Equal(Tensor ours, (float[] Values, int[] Shape) onnx, string what)
    {
        Assert.True(ours.Shape.SequenceEqual(onnx.Shape), $"{what}: shape {TensorShape.Format(ours.Shape)} ours, [{string.Join(", ", onnx.Shape)}] ONNX Runtime");
        var expected = ours.ToArray();
        double scale = Math.Max(1, expected.Max(v => Math.Abs((double)v)));
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(expected[i] - (double)onnx.Values[i]);
            if (!(diff <= worst)) { worst = diff; at = i; }
        }
        Assert.True(worst <= 1e-5 * scale, $"{what}: |ours - ORT| = {worst:E3} at {at} (ours {expected[at]}, ORT {onnx.Values[at]}), allowed {1e-5 * scale:E3}");
    }
}
