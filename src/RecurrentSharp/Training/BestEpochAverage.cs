using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training;

/// <summary>
/// Checkpoint averaging (as ESPnet averages its best snapshots): after every epoch's validation the parameters are
/// offered with the epoch's validation metric, the <see cref="Count"/> best snapshots are kept, and
/// <see cref="LoadAverage"/> sets the parameters to their element-wise mean
/// <code>
/// θ = (1/N) Σ_{k ∈ N best epochs} θ_k
/// </code>
/// Epochs of one run lie in one basin, so the mean is a model too; it evens out the epoch-to-epoch swings that a
/// single best epoch keeps. The choice of epochs uses only the validation metric.
/// </summary>
public sealed class BestEpochAverage
{
    private readonly Tensor[] parameters;
    private readonly bool minimize;
    private readonly List<(double Metric, int Epoch, float[][] Values)> kept = [];
    private int epochs;

    /// <summary>Keeps the <paramref name="count"/> best snapshots of <paramref name="parameters"/>, best meaning lowest when <paramref name="minimize"/>.</summary>
    public BestEpochAverage(IEnumerable<Tensor> parameters, int count, bool minimize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        this.parameters = parameters.ToArray();
        this.minimize = minimize;
        Count = count;
    }

    /// <summary>How many snapshots are averaged at most.</summary>
    public int Count { get; }

    /// <summary>The epochs (1-based, in the order offered) whose snapshots are kept, best first.</summary>
    public IReadOnlyList<int> Epochs => kept.Select(k => k.Epoch).ToArray();

    /// <summary>Offers the parameters as they are now, with this epoch's validation metric (a non-finite one is never kept).</summary>
    public void Offer(double metric)
    {
        epochs++;
        if (!double.IsFinite(metric)) return;
        double key = minimize ? metric : -metric;
        if (kept.Count == Count && key >= Key(kept[^1].Metric)) return;     // not better than the worst kept: ties keep the earlier epoch
        var values = kept.Count == Count ? kept[^1].Values : parameters.Select(p => new float[p.Length]).ToArray();
        if (kept.Count == Count) kept.RemoveAt(kept.Count - 1);
        for (int i = 0; i < parameters.Length; i++) parameters[i].Data.CopyTo(values[i]);
        int at = kept.FindIndex(k => key < Key(k.Metric));
        kept.Insert(at < 0 ? kept.Count : at, (metric, epochs, values));
    }

    private double Key(double metric) => minimize ? metric : -metric;

    /// <summary>Sets the parameters to the mean of the kept snapshots (nothing changes when none was kept).</summary>
    public void LoadAverage()
    {
        if (kept.Count == 0) return;
        float scale = 1f / kept.Count;
        for (int i = 0; i < parameters.Length; i++)
        {
            var target = parameters[i].Data;
            target.Clear();
            foreach (var (_, _, values) in kept)
                System.Numerics.Tensors.TensorPrimitives.Add(target, values[i], target);
            System.Numerics.Tensors.TensorPrimitives.Multiply(target, scale, target);
        }
    }
}
