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
