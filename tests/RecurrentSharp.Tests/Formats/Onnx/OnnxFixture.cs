using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Formats.Onnx;

/// <summary>The ONNX fixture folder (shared/fixtures/onnx, or RNN_ONNX_FIXTURES) and its safetensors companions.</summary>
internal static class OnnxFixture
{
    public static string Root
    {
        get
        {
            string? custom = Environment.GetEnvironmentVariable("RNN_ONNX_FIXTURES");
            return string.IsNullOrEmpty(custom) ? SharedFolder.Fixture("onnx") : custom;
        }
    }

    /// <summary>The .safetensors file beside an .onnx file.</summary>
    public static SafetensorsFile Load(string onnxFile) => SafetensorsReader.Read(Path.Combine(Root, Path.ChangeExtension(onnxFile, ".safetensors")));
}
