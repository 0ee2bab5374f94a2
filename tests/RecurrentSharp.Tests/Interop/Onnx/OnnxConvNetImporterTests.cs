using Microsoft.ML.OnnxRuntime;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Tasks.Captions;
using static RecurrentSharp.Tests.Interop.Onnx.OnnxRuntimeSession;

namespace RecurrentSharp.Tests.Interop.Onnx;

/// <summary>
/// Our ResNet-18, read from the package's ResNet18.onnx into a FrozenConvNet (batch norm folded, im2row + GEMM),
/// against ONNX Runtime running the very same file and its preprocessing graph, on Flickr8k images.
/// </summary>
public class OnnxConvNetImporterTests
{
    private static readonly string[] Images = ["1000268201_693b08cb0e.jpg", "1001773457_577c3a7d70.jpg"];

    [Fact]
    public void Resnet18_pooled_features_equal_onnx_runtime_within_1e4_relative()
    {
        var (networkPath, preprocessingPath) = PretrainedResNet.Locate();
        var featurizer = PretrainedResNet.Load();
        Assert.Equal(512, featurizer.PooledSize);
        Assert.Equal((49, 512), featurizer.GridShape);
        byte[] network = File.ReadAllBytes(networkPath), preprocessing = File.ReadAllBytes(preprocessingPath);
        string networkInput = OnnxReader.Read(network, networkPath).Graph.Inputs[0].Name;
        foreach (var name in Images)
        {
            var image = ImageDecoder.Decode(SharedFolder.Path("flickr8k", "Images", name));
            // ORT: the preprocessing graph on the RGB planes (0..255), then the network on its output.
            var planes = new float[3 * 224 * 224];
            for (int p = 0; p < 224 * 224; p++)
                for (int c = 0; c < 3; c++) planes[c * 224 * 224 + p] = image.Pixels[p * 3 + c];
            var prepared = Run(preprocessing, Floats("OriginalInput", planes, 1, 3, 224, 224)).Single().Value;
            var ours = featurizer.Preprocessing.ToChannelsFirst(image);
            Close(ours, prepared.Values, 1e-6, $"{name}: preprocessing");
            var pooled = Run(network, Floats(networkInput, prepared.Values, 1, 3, 224, 224)).Single().Value;
            Assert.Equal([1, 512, 1, 1], pooled.Shape);
            Close(featurizer.Featurize(image).Pooled, pooled.Values, 1e-4, $"{name}: pooled features");
        }
    }

    [Fact]
    public void A_small_graph_with_every_operator_read_equals_onnx_runtime_to_the_logits()
    {
        // Conv (stride 2, pads top/left/bottom/right 1/1/0/2) + BatchNormalization + Relu, MaxPool with pads on one side,
        // a pointwise Conv + BatchNormalization, the residual Add + Relu, GlobalAveragePool, Flatten, Gemm (transB): the
        // operators and the asymmetric padding of ResNet-18, and the classifier the package's file lacks.
        var r = new RecurrentSharp.Tensors.RandomGenerator(21);
        float[] Values(int n, float lo = -1f, float hi = 1f) => RecurrentSharp.Tensors.Tensor.RandomUniform(r, lo, hi, n).ToArray();
        var g = new OnnxGraphBuilder("small");
        string x = g.Input("image", OnnxDataType.Float, 1, 3, 9, 11);
        string Norm(string input, int channels) => g.Node("BatchNormalization",
            [input, g.Weight("gamma", Values(channels, 0.5f, 1.5f), channels), g.Weight("beta", Values(channels), channels),
             g.Weight("mean", Values(channels), channels), g.Weight("var", Values(channels, 0.5f, 2f), channels)], [OnnxAttribute.OfFloat("epsilon", 1e-3f)]);
        string c1 = g.Node("Conv", [x, g.Weight("w1", Values(4 * 3 * 3 * 3), 4, 3, 3, 3), g.Weight("b1", Values(4), 4)],
            [OnnxAttribute.OfInts("kernel_shape", 3, 3), OnnxAttribute.OfInts("strides", 2, 2), OnnxAttribute.OfInts("pads", 1, 1, 0, 2)]);
        string a1 = g.Node("Relu", [Norm(c1, 4)]);
        string pool = g.Node("MaxPool", [a1], [OnnxAttribute.OfInts("kernel_shape", 2, 2), OnnxAttribute.OfInts("strides", 1, 1), OnnxAttribute.OfInts("pads", 0, 0, 1, 1)]);
        string c2 = g.Node("Conv", [pool, g.Weight("w2", Values(4 * 4), 4, 4, 1, 1)], [OnnxAttribute.OfInts("kernel_shape", 1, 1)]);
        string sum = g.Node("Relu", [g.Node("Add", [pool, Norm(c2, 4)])]);
        string flat = g.Node("Flatten", [g.Node("GlobalAveragePool", [sum])], [OnnxAttribute.OfInt("axis", 1)]);
        g.Node("Gemm", [flat, g.Weight("fc", Values(5 * 4), 5, 4), g.Weight("fc_b", Values(5), 5)], [OnnxAttribute.OfInt("transB", 1)], output: "logits");
        g.Output("logits", "logits", OnnxDataType.Float, 1, 5);

        var network = OnnxConvNetImporter.Import(g.Model, "small");
        Assert.Equal(5, network.OutputSize);
        var image = Values(3 * 9 * 11, 0f, 2f);
        var channelsLast = new float[image.Length];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 99; p++) channelsLast[p * 3 + c] = image[c * 99 + p];
        var workspace = network.CreateWorkspace();
        network.Run(channelsLast, workspace);
        var ort = Run(g.Model, Floats("image", image, 1, 3, 9, 11))["logits"];
        Close(workspace.Value(network.Output).ToArray(), ort.Values, 1e-5, "logits");
    }

    [Fact]
    public void An_operator_the_importer_does_not_read_is_named_in_the_error()
    {
        var g = new OnnxGraphBuilder("softmax");
        string x = g.Input("image", OnnxDataType.Float, 1, 3, 4, 4);
        g.Node("Softmax", [x], output: "y");
        g.Output("y", "y", OnnxDataType.Float, 1, 3, 4, 4);
        var error = Assert.Throws<OnnxUnsupportedException>(() => OnnxConvNetImporter.Import(g.Model, "softmax.onnx"));
        Assert.Contains("Softmax", error.Message);
        Assert.Contains("softmax.onnx", error.Message);
    }

    /// <summary>max|ours − ORT| ≤ tolerance · max|ORT|.</summary>
    private static void Close(float[] ours, float[] expected, double tolerance, string what)
    {
        Assert.Equal(expected.Length, ours.Length);
        double scale = expected.Max(v => Math.Abs((double)v)), worst = 0;
        int at = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double diff = Math.Abs(ours[i] - (double)expected[i]);
            if (diff > worst) (worst, at) = (diff, i);
        }
        Assert.True(worst <= tolerance * scale, $"{what}: max |ours - ORT| = {worst:E3} at {at} (ours {ours[at]}, ORT {expected[at]}), allowed {tolerance * scale:E3}");
    }
}
