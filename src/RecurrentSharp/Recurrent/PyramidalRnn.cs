using System.Globalization;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// The pyramidal recurrent encoder of Listen, Attend and Spell (Chan et al. 2016): the first layer reads
/// the input; every layer above reads pairs of consecutive output steps of the layer below concatenated,
/// [h_{2i} | h_{2i+1}], so each level halves the length of the sequence (T, ⌈T/2⌉, ⌈T/4⌉, ...).
/// </summary>
/// <remarks>
/// Odd lengths: a sequence of odd length keeps its last step, paired with a zero vector (the padded
/// output of the level below is exactly zero), so no input is dropped; its length at the next level is
/// ⌈len/2⌉. Layers are bidirectional by default, as in the paper, and use the batch-first layout inside.
/// </remarks>
public sealed class PyramidalRnn : Module, IRecurrentLayer
{
    private readonly RecurrentLayer[] levels;

    /// <summary>Creates <paramref name="levels"/> levels of the given cell; the first reads <paramref name="inputSize"/> features.</summary>
    public PyramidalRnn(CellSpec cell, int inputSize, int hiddenSize, int levels = 3, bool bidirectional = true, bool batchFirst = false, RandomGenerator? random = null)
    {
        if (levels < 1) throw new ArgumentOutOfRangeException(nameof(levels), levels, "A pyramid needs at least one level.");
        BatchFirst = batchFirst;
        this.levels = new RecurrentLayer[levels];
        int width = inputSize;
        for (int l = 0; l < levels; l++)
        {
            var layer = RecurrentLayer.Create(cell, width, hiddenSize, bidirectional: bidirectional, batchFirst: true, random: random);
            this.levels[l] = RegisterModule(l.ToString(CultureInfo.InvariantCulture), layer);
            width = 2 * layer.OutputSize;
        }
    }

    /// <summary>The levels, bottom first.</summary>
    public IReadOnlyList<RecurrentLayer> Levels => levels;

    /// <inheritdoc/>
    public int InputSize => levels[0].InputSize;

    /// <inheritdoc/>
    public int OutputSize => levels[^1].OutputSize;

    /// <inheritdoc/>
    public bool BatchFirst { get; }

    /// <summary>The length of a sequence of length <paramref name="length"/> at the top of the pyramid.</summary>
    public int OutputLength(int length)
    {
        for (int l = 1; l < levels.Length; l++) length = (length + 1) / 2;
        return length;
    }

    /// <summary>
    /// Runs the pyramid from zero states. The output has ⌈T / 2^(levels-1)⌉ steps; h_n and c_n are the top
    /// level's. Per-sequence output lengths are given by <see cref="OutputLength"/>.
    /// </summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        if (h0 is not null || c0 is not null) throw new ArgumentException("PyramidalRnn starts every level from zero states.");
        var x = BatchFirst ? input : input.Transpose(0, 1);
        var levelLengths = lengths;
        RecurrentOutput result = null!;
        for (int l = 0; l < levels.Length; l++)
        {
            if (l > 0)
            {
                x = PairSteps(x);
                levelLengths = levelLengths?.Select(length => (length + 1) / 2).ToArray();
            }
            result = levels[l].Forward(x, null, null, levelLengths);
            x = result.Output;
        }
        return result with { Output = BatchFirst ? x : x.Transpose(0, 1) };
    }

    /// <summary>(B, T, F) to (B, ⌈T/2⌉, 2F): steps 2i and 2i+1 side by side, a zero step appended when T is odd.</summary>
    private static Tensor PairSteps(Tensor x)
    {
        int batch = x.Size(0), steps = x.Size(1), features = x.Size(2);
        if (steps % 2 == 1)
        {
            x = Tensor.Concat([x, Tensor.Zeros(batch, 1, features)], 1);
            steps++;
        }
        return x.Reshape(batch, steps / 2, 2 * features);
    }
}
