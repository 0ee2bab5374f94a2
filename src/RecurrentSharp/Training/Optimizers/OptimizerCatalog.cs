using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>Creates an optimizer by name (as on the command line: sgd, momentum, adam, adamw, rmsprop, adagrad) with PyTorch's defaults.</summary>
public static class OptimizerCatalog
{
    /// <summary>The accepted names.</summary>
    public static readonly string[] Names = ["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"];

    /// <summary>Creates the optimizer; <paramref name="learningRate"/> replaces the default when given.</summary>
    public static Optimizer Create(string name, IEnumerable<Tensor> parameters, double? learningRate = null) => name.Trim().ToLowerInvariant() switch
    {
        "sgd" => new Sgd(parameters, learningRate ?? 0.1),
        "momentum" => new Sgd(parameters, learningRate ?? 0.01, momentum: 0.9),
        "adam" => new Adam(parameters, learningRate ?? 1e-3),
        "adamw" => new AdamW(parameters, learningRate ?? 1e-3),
        "rmsprop" => new RmsProp(parameters, learningRate ?? 1e-2),
        "adagrad" => new Adagrad(parameters, learningRate ?? 1e-2),
        _ => throw new ArgumentException($"Unknown optimizer '{name}': expected one of {string.Join(", ", Names)}."),
    };
}
