namespace RecurrentSharp.Training;

/// <summary>Whether a smaller or a larger metric is better.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,

    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau.Threshold"/> measures a significant improvement.</summary>
public enum ThresholdMode
{
    /// <summary>Better than best·(1 ∓ threshold).</summary>
    Relative,

    /// <summary>Better than best ∓ threshold.</summary>
    Absolute,
}

/// <summary>
/// Cuts the lr by <see cref="Factor"/> when a metric has not improved for more than <see cref="Patience"/>
/// epochs (PyTorch's <c>ReduceLROnPlateau</c>, same defaults: mode min, factor 0.1, patience 10,
/// threshold 1e-4 relative, cooldown 0, min_lr 0, eps 1e-8).
/// </summary>
/// <remarks>
/// Each <see cref="Step(double)"/>:
/// <code>
/// if metric is better than best (min, rel: metric &lt; best·(1 − threshold)): best ← metric, bad ← 0  else bad ← bad + 1
/// if cooldown &gt; 0: cooldown ← cooldown − 1, bad ← 0
/// if bad &gt; patience: lr_new = max(lr·factor, min_lr); set it if lr − lr_new &gt; eps; cooldown ← cooldown_epochs; bad ← 0
/// </code>
/// A NaN metric is never better, so it counts as a bad epoch.
/// </remarks>
public sealed class ReduceLROnPlateau
{
    /// <summary>Creates the schedule with PyTorch's defaults.</summary>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, double minLr = 0, double eps = 1e-8)
    {
        if (!(factor < 1.0 && factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Factor should be < 1.0.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be >= 0.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be >= 0.");
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLr = minLr;
        Eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimizer whose learning rate is cut.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether lower or higher metrics are better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor applied at each cut.</summary>
    public double Factor { get; }

    /// <summary>Bad epochs tolerated before a cut.</summary>
    public int Patience { get; }

    /// <summary>The margin a metric must beat the best by to count as an improvement.</summary>
    public double Threshold { get; }

    /// <summary>Whether <see cref="Threshold"/> is relative or absolute.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Epochs after a cut during which bad epochs are not counted.</summary>
    public int Cooldown { get; }

    /// <summary>The lr never goes below this.</summary>
    public double MinLr { get; }

    /// <summary>Cuts smaller than this are skipped.</summary>
    public double Eps { get; }

    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Remaining cooldown epochs.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>How many times <see cref="Step(double)"/> has been called.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Records the epoch's metric and cuts the lr when it has stalled.</summary>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric, Best))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0; // bad epochs in cooldown do not count
        }
        if (NumBadEpochs > Patience)
        {
            double old = Optimizer.LearningRate;
            double cut = Math.Max(old * Factor, MinLr);
            if (old - cut > Eps) Optimizer.LearningRate = cut;
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
    }

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => a < best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => a < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => a > best * (Threshold + 1),
        _ => a > best + Threshold,
    };

    /// <summary>The schedule's position, for checkpoints.</summary>
    public IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>
    {
        ["best"] = Best,
        ["num_bad_epochs"] = NumBadEpochs,
        ["cooldown_counter"] = CooldownCounter,
        ["last_epoch"] = LastEpoch,
    };

    /// <summary>Restores a position from <see cref="GetState"/> (the lr itself lives in the optimizer's state).</summary>
    public void SetState(IReadOnlyDictionary<string, double> state)
    {
        static int Count(IReadOnlyDictionary<string, double> s, string key) =>
            s.TryGetValue(key, out double v) && v >= 0 && v <= int.MaxValue && v == Math.Floor(v)
                ? (int)v
                : throw new ModelFormatException($"The ReduceLROnPlateau state needs a whole, non-negative '{key}'.");
        if (!state.TryGetValue("best", out double best) || double.IsNaN(best))
            throw new ModelFormatException("The ReduceLROnPlateau state needs a numeric 'best'.");
        int bad = Count(state, "num_bad_epochs"), cooldown = Count(state, "cooldown_counter"), epoch = Count(state, "last_epoch");
        Best = best;
        NumBadEpochs = bad;
        CooldownCounter = cooldown;
        LastEpoch = epoch;
    }
}
