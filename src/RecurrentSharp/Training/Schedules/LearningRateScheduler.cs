namespace RecurrentSharp.Training;

/// <summary>
/// The base of the epoch-indexed learning-rate schedules (PyTorch's <c>LRScheduler</c>): the schedule is a
/// function of a counter <see cref="LastEpoch"/> (0 after construction) and the optimizer's learning rate
/// when the schedule was created (<see cref="BaseLearningRate"/>). Call <see cref="Step"/> after
/// <see cref="Optimizer.Step"/>, once per epoch or once per batch as the schedule is meant.
/// </summary>
/// <remarks>
/// The closed forms are used (PyTorch's <c>_get_closed_form_lr</c>): PyTorch's default <c>step()</c>
/// evaluates recursive forms from the previous lr, which agree to about 1e-16 relative but would
/// compound anything else that changed the lr in between. Constructing a schedule sets the optimizer's lr
/// to the schedule's value at epoch 0, as PyTorch does.
/// </remarks>
public abstract class LearningRateScheduler
{
    /// <summary>Remembers the optimizer and its current lr as the base. Derived constructors call <see cref="Apply"/> last.</summary>
    protected LearningRateScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>PyTorch's <c>initial_lr</c>: the lr the schedule scales.</summary>
    public double BaseLearningRate { get; private set; }

    /// <summary>How many times <see cref="Step"/> has been called (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The lr the schedule gives at <paramref name="epoch"/>.</summary>
    public abstract double LearningRateAt(int epoch);

    /// <summary>Advances the counter and sets the optimizer's lr.</summary>
    public void Step()
    {
        LastEpoch++;
        Apply();
    }

    /// <summary>Sets the optimizer's lr to the schedule's value at <see cref="LastEpoch"/>.</summary>
    protected void Apply() => Optimizer.LearningRate = LearningRateAt(LastEpoch);

    /// <summary>The schedule's position, for checkpoints: <c>last_epoch</c> and <c>base_lr</c>.</summary>
    public IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>
    {
        ["last_epoch"] = LastEpoch,
        ["base_lr"] = BaseLearningRate,
    };

    /// <summary>Restores a position from <see cref="GetState"/> and sets the optimizer's lr accordingly.</summary>
    public void SetState(IReadOnlyDictionary<string, double> state)
    {
        if (!state.TryGetValue("last_epoch", out double epoch) || !state.TryGetValue("base_lr", out double baseLr)
            || epoch < 0 || epoch > int.MaxValue || epoch != Math.Floor(epoch) || !(baseLr >= 0) || double.IsInfinity(baseLr))
            throw new ModelFormatException($"The {GetType().Name} state needs a whole, non-negative last_epoch and a finite base_lr >= 0.");
        LastEpoch = (int)epoch;
        BaseLearningRate = baseLr;
        Apply();
    }
}
