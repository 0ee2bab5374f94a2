using RecurrentSharp.Interop.Onnx;
using RecurrentSharp.Models.Vision;

namespace RecurrentSharp.Tasks.Captions;

/// <summary>
/// ResNet-18 trained on ImageNet, as shipped in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1
/// (<c>tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx</c>, written by CNTK 2.6; it ends in the global average pool,
/// 512 features, with no ImageNet classifier) and the preprocessing graph beside it
/// (<c>ResNetPrepOnnx/ResNetPreprocess.onnx</c>: RGB → BGR, minus a mean image). The rnn tool's project references the
/// package for these two files only and copies them to <c>models/</c> beside itself; they are looked for there, in the
/// folder named by <see cref="EnvironmentVariable"/>, and in the NuGet package cache.
/// </summary>
public static class PretrainedResNet
{
    /// <summary>A folder holding ResNet18.onnx and ResNetPreprocess.onnx, looked at first.</summary>
    public const string EnvironmentVariable = "RNN_RESNET18";

    /// <summary>The network's file name.</summary>
    public const string NetworkFile = "ResNet18.onnx";

    /// <summary>The preprocessing graph's file name.</summary>
    public const string PreprocessingFile = "ResNetPreprocess.onnx";

    /// <summary>The paths of the network and the preprocessing graph, or a <see cref="TaskUsageException"/> saying where they were looked for.</summary>
    public static (string Network, string Preprocessing) Locate()
    {
        var folders = new List<(string Network, string Preprocessing)>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder)
            folders.Add((Path.Combine(folder, NetworkFile), Path.Combine(folder, PreprocessingFile)));
        string besideTool = Path.Combine(AppContext.BaseDirectory, "models");
        folders.Add((Path.Combine(besideTool, NetworkFile), Path.Combine(besideTool, PreprocessingFile)));
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string package = Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels");
        folders.Add((Path.Combine(package, "ResNet18Onnx", NetworkFile), Path.Combine(package, "ResNetPrepOnnx", PreprocessingFile)));
        foreach (var candidate in folders)
            if (File.Exists(candidate.Network) && File.Exists(candidate.Preprocessing)) return candidate;
        throw new TaskUsageException($"ResNet18.onnx and ResNetPreprocess.onnx (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1) were not found. Looked at:\n" +
            string.Join("\n", folders.Select(f => "  " + f.Network)) + $"\nRestore the rnn project (it references the package), or set {EnvironmentVariable} to a folder holding both files.");
    }

    /// <summary>Loads the network and its preprocessing.</summary>
    public static ImageFeaturizer Load()
    {
        var (network, preprocessing) = Locate();
        return new ImageFeaturizer(OnnxPreprocessingImporter.Import(preprocessing), OnnxConvNetImporter.Import(network));
    }
}
