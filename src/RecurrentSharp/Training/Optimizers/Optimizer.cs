using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// The base of the optimizers: holds the parameters, the learning rate, a step counter per parameter and
/// named per-parameter state buffers (PyTorch's <c>exp_avg</c>, <c>momentum_buffer</c>, ...), which
/// <see cref="GetState"/> and <see cref="SetState"/> export and restore so training can resume exactly.
/// </summary>
/// <remarks>
/// Like PyTorch's <c>torch.optim</c> with one parameter group and <c>foreach=False</c>: a parameter whose
/// <see cref="Tensor.Grad"/> is null is skipped by <see cref="Step"/> (its step counter and state stay as
/// they were). Hyper-parameters are doubles, as PyTorch's are Python floats: scalar expressions such as
/// <c>lr / (1 - β1^t)</c> are formed in double and rounded to float32 once, then all element-wise arithmetic
/// is float32. Pass <c>1e-3</c> rather than <c>1e-3f</c> to get PyTorch's exact values.
/// </remarks>
public abstract class Optimizer
{
    private readonly Tensor[] parameters;
    private readonly long[] steps;
    private readonly string[] stateKeys;
    private readonly Dictionary<string, float[]?[]> buffers = new(StringComparer.Ordinal);
    private double learningRate;

    /// <summary>Takes the parameters (at least one, each once) and the learning rate; <paramref name="stateKeys"/> names the per-parameter buffers the optimizer may keep.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double lr, params string[] stateKeys)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
            throw new ArgumentException($"{GetType().Name} got an empty parameter list.", nameof(parameters));
        if (this.parameters.Distinct(ReferenceEqualityComparer.Instance).Count() != this.parameters.Length)
            throw new ArgumentException($"{GetType().Name} got the same parameter more than once.", nameof(parameters));
        LearningRate = lr;
        steps = new long[this.parameters.Length];
        this.stateKeys = stateKeys;
        foreach (var key in stateKeys) buffers[key] = new float[]?[this.parameters.Length];
    }

    /// <summary>PyTorch's class name (<c>"SGD"</c>, <c>"Adam"</c>, ...); checked when state is restored.</summary>
    public abstract string Name { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The current learning rate (PyTorch's <c>param_groups[0]["lr"]</c>); schedules set it.</summary>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Invalid learning rate: it must be finite and >= 0.");
            learningRate = value;
        }
    }

    /// <summary>The names of the per-parameter state buffers this optimizer keeps (PyTorch's state keys besides <c>step</c>).</summary>
    public IReadOnlyList<string> StateKeys => stateKeys;

    /// <summary>How many updates parameter <paramref name="index"/> has received.</summary>
    public long StepCount(int index) => steps[index];

    /// <summary>Updates every parameter that has a gradient, in place (no autograd is recorded).</summary>
    public void Step()
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var g = p.Grad;
            if (g is null) continue;
            if (!TensorShape.SameAs(g.Shape, p.Shape))
                throw new TensorShapeException($"{Name}.Step", $"parameter {i} has shape {TensorShape.Format(p.Shape)} but its gradient {TensorShape.Format(g.Shape)}");
            steps[i]++;
            Update(i, p.Data, g.Data, steps[i]);
        }
    }

    /// <summary>
    /// Applies one update to parameter <paramref name="index"/> (values <paramref name="p"/>, gradient
    /// <paramref name="g"/>); <paramref name="step"/> is its update count including this one (1 at the first).
    /// </summary>
    protected abstract void Update(int index, Span<float> p, ReadOnlySpan<float> g, long step);

    /// <summary>Clears every parameter's gradient (sets it to null, like PyTorch's <c>set_to_none=True</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.ZeroGrad();
    }

    /// <summary>True when parameter <paramref name="index"/> has a buffer named <paramref name="key"/>.</summary>
    protected bool HasState(string key, int index) => buffers[key][index] is not null;

    /// <summary>The buffer <paramref name="key"/> of parameter <paramref name="index"/>, created filled with <paramref name="initialValue"/> on first use.</summary>
    protected Span<float> State(string key, int index, float initialValue = 0f)
    {
        var perParameter = buffers[key];
        if (perParameter[index] is null)
        {
            var buffer = new float[parameters[index].Length];
            if (initialValue != 0f) buffer.AsSpan().Fill(initialValue);
            perParameter[index] = buffer;
        }
        return perParameter[index];
    }

    /// <summary>A deep copy of the optimizer's state: learning rate, step counters and buffers.</summary>
    public OptimizerState GetState()
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var key in stateKeys)
            for (int i = 0; i < parameters.Length; i++)
                if (buffers[key][i] is { } b)
                    tensors[OptimizerState.BufferName(i, key)] = Tensor.FromSpan(b, parameters[i].GetShape());
        return new OptimizerState(Name, LearningRate, (long[])steps.Clone(), tensors);
    }

    /// <summary>
    /// Replaces the optimizer's state with <paramref name="state"/> (from <see cref="GetState"/>, perhaps through a
    /// checkpoint). The optimizer must be of the same kind over parameters of the same shapes; buffers not in
    /// <paramref name="state"/> are cleared. Nothing changes when a check fails (<see cref="ModelFormatException"/>).
    /// Hyper-parameters other than the learning rate come from the constructor, not from the state.
    /// </summary>
    public void SetState(OptimizerState state)
    {
        if (state.Optimizer != Name)
            throw new ModelFormatException($"The optimizer state is for {state.Optimizer}, not {Name}.");
        if (state.Steps.Count != parameters.Length)
            throw new ModelFormatException($"The optimizer state covers {state.Steps.Count} parameters, this {Name} has {parameters.Length}.");
        var problems = new List<string>();
        for (int i = 0; i < parameters.Length; i++)
            if (state.Steps[i] < 0) problems.Add($"step of parameter {i} is negative ({state.Steps[i]})");
        var parsed = new List<(int Index, string Key, Tensor Value)>();
        foreach (var (name, value) in state.Buffers)
        {
            if (!OptimizerState.TryParseBufferName(name, out int index, out string key) || index >= parameters.Length)
                problems.Add($"buffer '{name}' does not name a parameter index below {parameters.Length} and a key");
            else if (!stateKeys.Contains(key))
                problems.Add($"buffer '{name}': {Name} keeps no '{key}' (it keeps {string.Join(", ", stateKeys)})");
            else if (!TensorShape.SameAs(value.Shape, parameters[index].Shape))
                problems.Add($"buffer '{name}' has shape {TensorShape.Format(value.Shape)}, parameter {index} has {TensorShape.Format(parameters[index].Shape)}");
            else
                parsed.Add((index, key, value));
        }
        if (problems.Count > 0)
            throw new ModelFormatException($"The optimizer state does not fit this {Name}: {string.Join("; ", problems)}.");

        LearningRate = state.LearningRate;
        for (int i = 0; i < parameters.Length; i++) steps[i] = state.Steps[i];
        foreach (var key in stateKeys) Array.Clear(buffers[key]);
        foreach (var (index, key, value) in parsed) buffers[key][index] = value.ToArray();
    }

    /// <summary>Checks a hyper-parameter the way PyTorch's constructors do.</summary>
    protected static double Require(double value, bool valid, string what) =>
        valid && !double.IsNaN(value) ? value : throw new ArgumentOutOfRangeException(what, value, $"Invalid {what}: {value}.");
}
