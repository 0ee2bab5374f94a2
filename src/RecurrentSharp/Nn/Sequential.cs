using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>Layers applied one after another; children are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module, ILayer
{
    private readonly List<ILayer> layers = [];

    /// <summary>Creates the chain.</summary>
    public Sequential(params ILayer[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer.</summary>
    public Sequential Add(ILayer layer)
    {
        if (layer is Module m) RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        layers.Add(layer);
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer> Layers => layers;

    /// <summary>Runs the chain.</summary>
    public Tensor Forward(Tensor input)
    {
        foreach (var layer in layers) input = layer.Forward(input);
        return input;
    }
}

/// <summary>An element-wise activation as a layer (for use in <see cref="Sequential"/>).</summary>
public sealed class Activation : Module, ILayer
{
    private readonly Func<Tensor, Tensor> function;

    private Activation(string name, Func<Tensor, Tensor> function)
    {
        Name = name;
        this.function = function;
    }

    /// <summary>The activation's name.</summary>
    public string Name { get; }

    /// <summary>tanh.</summary>
    public static Activation Tanh() => new("tanh", x => x.Tanh());

    /// <summary>max(0, x).</summary>
    public static Activation Relu() => new("relu", x => x.Relu());

    /// <summary>The logistic sigmoid.</summary>
    public static Activation Sigmoid() => new("sigmoid", x => x.Sigmoid());

    /// <summary>Applies the function.</summary>
    public Tensor Forward(Tensor input) => function(input);
}
