using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Data.Images;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>
/// Reads an image preprocessing graph — ML.NET's <c>ResNetPreprocess.onnx</c>: Split of the (1, 3, H, W) RGB input
/// into its channels, Concat in another order (B, G, R), Sub of a mean image — into an <see cref="ImagePreprocessing"/>.
/// Split (axis 1, three single channels), Concat (axis 1, a permutation of them), and Sub / Div / Mul by float
/// initializers of shape (1, 3, 1, 1), (3, 1, 1), (1, 3, H, W) or a scalar are read, in that order; anything else
/// is an <see cref="OnnxUnsupportedException"/> naming it.
/// </summary>
public static class OnnxPreprocessingImporter
{
    /// <summary>Reads and imports an .onnx file.</summary>
    public static ImagePreprocessing Import(string path) => Import(OnnxReader.Read(path), path);

    /// <summary>Imports a model read by <see cref="OnnxReader"/>; <paramref name="source"/> names it in errors.</summary>
    public static ImagePreprocessing Import(OnnxModel model, string source)
    {
        var graph = model.Graph;
        var constants = graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var inputs = graph.Inputs.Where(i => !constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Shape is not { Count: 4 } dims || dims.Any(d => d.Value is null) || dims[0].Value != 1 || dims[1].Value != 3)
            throw new OnnxUnsupportedException($"{source}: a preprocessing graph must take one RGB image of fixed shape (1, 3, H, W).");
        int height = (int)dims[2].Value!, width = (int)dims[3].Value!, plane = height * width;
        // Each image value of the graph: which RGB channel(s) it holds, in order.
        var channels = new Dictionary<string, int[]>(StringComparer.Ordinal) { [inputs[0].Name] = [0, 1, 2] };
        var mean = new float[3 * plane];
        var scale = Enumerable.Repeat(1f, 3 * plane).ToArray();
        string? arithmeticOn = null;   // the value Sub/Div/Mul apply to (all of them to the reordered image)
        foreach (var node in graph.Nodes)
        {
            int[] In(int k) => channels.TryGetValue(node.InputAt(k), out var c) ? c
                : throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' reads '{node.InputAt(k)}', which is not an image value.");
            switch (node.OpType)
            {
                case "Split" when (node.Attribute("axis")?.Int ?? 0) == 1 && node.Outputs.Count == In(0).Length && node.Inputs.Count == 1
                                  && (node.Attribute("split")?.Ints ?? [1, 1, 1]).All(s => s == 1):
                    for (int k = 0; k < node.Outputs.Count; k++) channels[node.Outputs[k]] = [In(0)[k]];
                    break;
                case "Concat" when (node.Attribute("axis")?.Int ?? 0) == 1:
                    channels[node.Outputs[0]] = node.Inputs.SelectMany((_, k) => In(k)).ToArray();
                    break;
                case "Sub" or "Div" or "Mul" when In(0).Length == 3 && (arithmeticOn is null || arithmeticOn == node.InputAt(0)):
                {
                    var full = Broadcast(constants, node, height, width, source);
                    for (int j = 0; j < full.Length; j++)
                    {
                        if (node.OpType == "Sub") mean[j] += full[j] * scale[j];        // (x − m)/s − a = (x − (m + a·s))/s
                        else if (node.OpType == "Div") scale[j] *= full[j];
                        else scale[j] /= full[j];
                    }
                    channels[node.Outputs[0]] = In(0);
                    arithmeticOn = node.Outputs[0];
                    break;
                }
                default:
                    throw new OnnxUnsupportedException($"{source}: node '{node.Name}' ({node.OpType}) is not a step of image preprocessing read here " +
                        "(Split into the 3 channels, Concat of them along axis 1, then Sub/Div/Mul by constants).");
            }
        }
        if (graph.Outputs.Count != 1 || !channels.TryGetValue(graph.Outputs[0].Name, out var order) || order.Length != 3 || order.Distinct().Count() != 3)
            throw new OnnxUnsupportedException($"{source}: the preprocessing graph's output is not the three channels of the image.");
        if (arithmeticOn is not null && arithmeticOn != graph.Outputs[0].Name)
            throw new OnnxUnsupportedException($"{source}: the channels are reordered after the arithmetic; only reordering first is read.");
        return new ImagePreprocessing(width, height, order, mean, scale);
    }

    /// <summary>The constant operand of Sub/Div/Mul spread to (3, H, W).</summary>
    private static float[] Broadcast(Dictionary<string, OnnxTensor> constants, OnnxNode node, int height, int width, string source)
    {
        if (!constants.TryGetValue(node.InputAt(1), out var t) || t.DataType != OnnxDataType.Float)
            throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' must take a float initializer as its second operand.");
        var values = t.ToFloats();
        int plane = height * width;
        var full = new float[3 * plane];
        if (values.Length == 1) Array.Fill(full, values[0]);
        else if (values.Length == 3) for (int j = 0; j < full.Length; j++) full[j] = values[j / plane];
        else if (values.Length == 3 * plane && t.Dims[^1] == width && t.Dims[^2] == height) values.CopyTo(full, 0);
        else throw new OnnxUnsupportedException($"{source}: {node.OpType} '{node.Name}' has a constant of shape ({string.Join(", ", t.Dims)}), not per channel or per pixel of (3, {height}, {width}).");
        return full;
    }
}
