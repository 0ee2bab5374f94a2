using System.Diagnostics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Training.Distributed;

/// <summary>
/// Synchronous data parallelism (as Horovod and PyTorch's DistributedDataParallel): every rank holds the same
/// parameters, computes the gradient of its share of each global batch, and the gradients are averaged with
/// an allreduce so that every rank takes the same optimizer step. Give it to <see cref="TrainerOptions.DataParallel"/>.
/// </summary>
/// <remarks>
/// <para>The average is weighted by the examples of each share — Σ_r n_r·g_r / Σ_r n_r, where g_r is the
/// gradient of rank r's mean loss — so for a loss that is a mean over examples (as the
/// <see cref="Trainer{TBatch}.BatchLoss"/> count says) the step is that of one process on the whole batch,
/// up to the order of the float32 sums.</para>
/// <para>The gradients travel in buckets of <see cref="BucketBytes"/> (a few MB: large enough that the
/// allreduce runs at bandwidth, small enough not to double the memory), one allreduce per bucket after the
/// backward pass. They are not overlapped with the backward pass: a fused recurrent layer is one node of the
/// tape whose weight gradients are complete only when its BPTT loop ends, and the tape has no hook that
/// announces a finished gradient, so there is little to overlap with.</para>
/// </remarks>
public sealed class DataParallel
{
    private readonly float[] bucket;
    private readonly double[] totals = new double[4];
    private long started;

    /// <summary>Data parallelism over <paramref name="communicator"/>'s ranks, with gradient buckets of <paramref name="bucketBytes"/>.</summary>
    public DataParallel(ICommunicator communicator, int bucketBytes = 4 << 20)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        if (bucketBytes < sizeof(float)) throw new ArgumentOutOfRangeException(nameof(bucketBytes), "A bucket must hold at least one float.");
        Communicator = communicator;
        BucketBytes = bucketBytes;
        bucket = new float[bucketBytes / sizeof(float)];
    }

    /// <summary>The ranks.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>This rank.</summary>
    public int Rank => Communicator.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => Communicator.Size;

    /// <summary>True on rank 0, the one that prints progress and writes checkpoints and models.</summary>
    public bool IsRoot => Communicator.Rank == 0;

    /// <summary>The size of one gradient allreduce.</summary>
    public int BucketBytes { get; }

    /// <summary>Optimizer steps taken through <see cref="AverageGradients"/>.</summary>
    public long Steps { get; private set; }

    /// <summary>The step after which <see cref="VerifyIdentical"/> last found every rank's parameters equal to rank 0's, or null.</summary>
    public long? VerifiedStep { get; private set; }

    /// <summary>Examples (as the loss counts them: samples, or characters for a language model) of all ranks in the steps so far.</summary>
    public long Examples { get; private set; }

    /// <summary>Wall time spent in the step's collectives (the loss totals and the gradient buckets).</summary>
    public double AllreduceSeconds { get; private set; }

    /// <summary>Wall time of the whole steps (forward, backward, allreduce, optimizer), measured by the trainer.</summary>
    public double StepSeconds { get; private set; }

    /// <summary>Bytes of gradient sent into the allreduce per step (the parameters' floats and one flag per parameter).</summary>
    public long GradientBytesPerStep { get; private set; }

    /// <summary>The contiguous share [start, start + count) of <paramref name="count"/> items that this rank takes (the shares differ by at most one).</summary>
    public (int Start, int Count) ShareOf(int count)
    {
        int start = (int)((long)count * Rank / Size);
        int end = (int)((long)count * (Rank + 1) / Size);
        return (start, end - start);
    }

    /// <summary>This rank's share of a batch of items (see <see cref="ShareOf"/>); every rank draws the same batch from the same generator, so the shares are disjoint and cover it.</summary>
    public T[] Shard<T>(T[] batch)
    {
        var (start, count) = ShareOf(batch.Length);
        return batch.AsSpan(start, count).ToArray();
    }

    /// <summary>Copies rank 0's parameters to every rank (the start of training: the ranks' initial weights come from one draw).</summary>
    public void BroadcastParameters(IReadOnlyList<Tensor> parameters, long step)
    {
        int parts = parameters.Count;
        for (int i = 0; i < parameters.Count; i++)
            Communicator.Broadcast(parameters[i].Data, new Collective("the parameter broadcast", step, i + 1, parts));
    }

    /// <summary>
    /// The totals of one step over the ranks: Σ n_r·loss_r / Σ n_r, Σ n_r, whether any rank drew random
    /// numbers in its forward pass (dropout; <see cref="EndRandomStep"/> needs to know) and whether any rank
    /// was asked to stop (then all stop after this step).
    /// </summary>
    public (double Loss, long Examples, bool DrewRandom, bool Cancelled) ReduceLoss(double loss, int examples, bool drewRandom, bool cancel, long step)
    {
        long start = Stopwatch.GetTimestamp();
        totals[0] = examples == 0 ? 0 : loss * examples;
        totals[1] = examples;
        totals[2] = drewRandom ? 1 : 0;
        totals[3] = cancel ? 1 : 0;
        Communicator.AllreduceSum(totals, new Collective("the loss allreduce", step));
        AllreduceSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        long total = (long)Math.Round(totals[1]);
        Examples += total;
        return (total == 0 ? 0 : totals[0] / totals[1], total, totals[2] > 0, totals[3] > 0);
    }

    /// <summary>
    /// Replaces every gradient with the average over the ranks weighted by their examples,
    /// Σ_r (n_r / N)·g_r. A parameter without a gradient on every rank keeps none (the optimizer skips it, as
    /// in one process); one with a gradient on some rank gets the average with zeros from the others.
    /// </summary>
    public void AverageGradients(IReadOnlyList<Tensor> parameters, int examples, long totalExamples, long step)
    {
        long start = Stopwatch.GetTimestamp();
        float scale = totalExamples == 0 ? 0f : (float)((double)examples / totalExamples);
        int count = parameters.Count;
        long total = count;
        foreach (var p in parameters) total += p.Length;
        GradientBytesPerStep = total * sizeof(float);
        int parts = (int)((total + bucket.Length - 1) / bucket.Length);
        // The virtual vector sent: one has-a-gradient flag per parameter, then every gradient in order.
        long position = 0;
        int parameter = -1, offset = 0;   // where the next gradient element comes from
        for (int part = 0; part < parts; part++)
        {
            int filled = (int)Math.Min(bucket.Length, total - position);
            // Gather.
            int at = 0;
            for (; at < filled && position + at < count; at++) bucket[at] = parameters[(int)(position + at)].Grad is null ? 0f : 1f;
            int p = parameter, o = offset;
            while (at < filled)
            {
                if (p < 0 || o == parameters[p].Length) { p++; o = 0; continue; }
                int take = Math.Min(filled - at, parameters[p].Length - o);
                if (parameters[p].Grad is { } grad) TensorPrimitives.Multiply(grad.Data.Slice(o, take), scale, bucket.AsSpan(at, take));
                else bucket.AsSpan(at, take).Clear();
                at += take;
                o += take;
            }
            Communicator.AllreduceSum(bucket.AsSpan(0, filled), new Collective("the gradient allreduce", step, part + 1, parts));
            // Scatter: the flags first (they come in the first bucket), then the gradients.
            at = 0;
            for (; at < filled && position + at < count; at++)
            {
                var target = parameters[(int)(position + at)];
                if (bucket[at] > 0 && target.Grad is null) target.Grad = Tensor.ZerosLike(target);
                else if (bucket[at] == 0) target.Grad = null;
            }
            while (at < filled)
            {
                if (parameter < 0 || offset == parameters[parameter].Length) { parameter++; offset = 0; continue; }
                int take = Math.Min(filled - at, parameters[parameter].Length - offset);
                if (parameters[parameter].Grad is { } grad) bucket.AsSpan(at, take).CopyTo(grad.Data.Slice(offset, take));
                at += take;
                offset += take;
            }
            position += filled;
        }
        Steps++;
        AllreduceSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Marks the start of a step (for <see cref="StepSeconds"/>).</summary>
    public void BeginStep() => started = Stopwatch.GetTimestamp();

    /// <summary>Marks the end of a step started with <see cref="BeginStep"/>.</summary>
    public void EndStep() => StepSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;

    /// <summary>Element-wise sums over the ranks, for evaluation sharded across them (counts, summed losses, confusion matrices).</summary>
    public void Sum(Span<double> values, string what, long step) => Communicator.AllreduceSum(values, new Collective(what, step));

    /// <summary>Rank 0's metrics on every rank (in the key order of this rank's, which must name the same keys), so every rank takes the same decisions about the best epoch and early stopping.</summary>
    public IReadOnlyDictionary<string, double> BroadcastMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        var keys = metrics.Keys.Order(StringComparer.Ordinal).ToArray();
        var values = keys.Select(k => metrics[k]).ToArray();
        Communicator.Broadcast(values, new Collective("the validation metrics broadcast", step));
        var result = new Dictionary<string, double>(keys.Length);
        for (int i = 0; i < keys.Length; i++) result[keys[i]] = values[i];
        return result;
    }

    /// <summary>
    /// Checks that every rank holds exactly (bit for bit) rank 0's parameters; throws
    /// <see cref="DistributedException"/> naming the ranks that differ and in how many values.
    /// </summary>
    public void VerifyIdentical(IReadOnlyList<Tensor> parameters, long step)
    {
        var differing = new double[Size];
        for (int i = 0; i < parameters.Count; i++)
        {
            var mine = parameters[i].Data;
            var root = mine.ToArray();
            Communicator.Broadcast(root, new Collective("the parameter check", step, i + 1, parameters.Count));
            for (int j = 0; j < root.Length; j++)
                if (BitConverter.SingleToInt32Bits(root[j]) != BitConverter.SingleToInt32Bits(mine[j])) differing[Rank]++;
        }
        Communicator.AllreduceSum(differing, new Collective("the parameter check", step));
        var bad = Enumerable.Range(0, Size).Where(r => differing[r] > 0).ToArray();
        if (bad.Length > 0)
            throw new DistributedException($"after step {step} the parameters of {string.Join(", ", bad.Select(r => $"rank {r} ({differing[r]:0} values)"))} " +
                "differ from rank 0's: the ranks no longer take the same steps.");
        VerifiedStep = step;
    }

    /// <summary>
    /// Before a step's forward pass: gives this rank its own random stream (rank r's differs from every other
    /// rank's, so dropout masks of different examples are independent) and returns the state to come back to.
    /// With one rank nothing changes, so a one-rank job is the single-process run.
    /// </summary>
    public ulong[] BeginRandomStep(RandomGenerator random)
    {
        var state = random.GetState();
        if (Size == 1) return state;
        random.SetState(StreamState(state, Rank + 1));
        return state;
    }

    /// <summary>True when the forward pass drew from the generator since <see cref="BeginRandomStep"/>.</summary>
    public bool DrewRandom(RandomGenerator random, ulong[] saved) =>
        Size == 1 ? !random.GetState().AsSpan().SequenceEqual(saved) : !random.GetState().AsSpan().SequenceEqual(StreamState(saved, Rank + 1));

    /// <summary>
    /// After the step: every rank goes on from the same state — the saved one when no rank drew (as one
    /// process would), else a stream derived from it that none of the ranks used.
    /// </summary>
    public void EndRandomStep(RandomGenerator random, ulong[] saved, bool anyDrew)
    {
        if (Size == 1) return;
        random.SetState(anyDrew ? StreamState(saved, 0) : saved);
    }

    /// <summary>Stream <paramref name="index"/> derived from <paramref name="state"/>: a generator seeded (SplitMix64) with a mix of both.</summary>
    private static ulong[] StreamState(ulong[] state, int index)
    {
        ulong seed = state[0] ^ RotateLeft(state[1], 17) ^ RotateLeft(state[2], 31) ^ RotateLeft(state[3], 47) ^ (0xD1B54A32D192ED03UL * (ulong)(index + 1));
        return new RandomGenerator(seed).GetState();
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
