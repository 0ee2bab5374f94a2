using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// The base of every layer and model: owns named parameters and child modules, switches between
/// training and evaluation mode, and reads and writes its state under PyTorch-style dotted names
/// (<c>encoder.weight_ih_l0</c>).
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> parameters = [];
    private readonly List<KeyValuePair<string, Module>> children = [];

    /// <summary>True in training mode (dropout active), false in evaluation mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable tensor under <paramref name="name"/> and marks it as requiring gradients.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        if (parameters.Any(p => p.Key == name) || children.Any(c => c.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
        value.RequiresGrad = true;
        parameters.Add(new(name, value));
        return value;
    }

    /// <summary>Registers a child module whose parameters are named <c>name.…</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        if (parameters.Any(p => p.Key == name) || children.Any(c => c.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.");
        children.Add(new(name, module));
        return module;
    }

    /// <summary>Every parameter of this module and its children with its dotted name, in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in parameters) yield return new(prefix + name, p);
        foreach (var (name, child) in children)
            foreach (var item in child.NamedParameters(prefix + name + "."))
                yield return item;
    }

    /// <summary>Every parameter of this module and its children.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>The direct children with their names.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => children;

    /// <summary>The total number of trainable scalars.</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Length);

    /// <summary>Sets training mode (or evaluation mode when <paramref name="mode"/> is false) on the whole tree.</summary>
    public void Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, child) in children) child.Train(mode);
    }

    /// <summary>Switches the whole tree to evaluation mode.</summary>
    public void Eval() => Train(false);

    /// <summary>
    /// Evaluation mode until the returned scope is disposed, then the mode it had before:
    /// <c>using (model.Evaluating()) { ... }</c> instead of saving and restoring <see cref="Training"/> by hand.
    /// </summary>
    public ModeScope Evaluating()
    {
        var scope = new ModeScope(this, Training);
        Train(false);
        return scope;
    }

    /// <summary>Restores a module's training mode when disposed (see <see cref="Evaluating"/>).</summary>
    public readonly struct ModeScope : IDisposable
    {
        private readonly Module module;
        private readonly bool wasTraining;

        internal ModeScope(Module module, bool wasTraining)
        {
            this.module = module;
            this.wasTraining = wasTraining;
        }

        /// <summary>Puts the module back into the mode it had when the scope began.</summary>
        public void Dispose() => module?.Train(wasTraining);
    }

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>The parameters by dotted name (the tensors themselves, not copies).</summary>
    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Key, p => p.Value);

    /// <summary>
    /// Copies values into the parameters by name. With <paramref name="strict"/>, every parameter must be
    /// present and no unknown names may appear. Shapes must match exactly. Nothing is changed when
    /// any check fails.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var problems = new List<string>();
        foreach (var (name, p) in own)
        {
            if (!state.TryGetValue(name, out var value))
            {
                if (strict) problems.Add($"missing tensor '{name}' {TensorShape.Format(p.Shape)}");
            }
            else if (!TensorShape.SameAs(value.Shape, p.Shape))
            {
                problems.Add($"tensor '{name}' has shape {TensorShape.Format(value.Shape)}, the model needs {TensorShape.Format(p.Shape)}");
            }
        }
        if (strict)
            foreach (var name in state.Keys)
                if (!own.ContainsKey(name)) problems.Add($"unexpected tensor '{name}'");
        if (problems.Count > 0)
            throw new ModelFormatException($"The state does not fit {GetType().Name}: {string.Join("; ", problems)}.");
        foreach (var (name, p) in own)
            if (state.TryGetValue(name, out var value)) value.Data.CopyTo(p.Data);
    }
}
