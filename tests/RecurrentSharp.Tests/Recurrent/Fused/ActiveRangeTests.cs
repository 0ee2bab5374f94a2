using RecurrentSharp.Recurrent;
using RecurrentSharp.Recurrent.Cells;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent.Fused;

/// <summary>
/// A step's product runs only over the rows between the first and last sequence still running
/// (<c>DirectionPass.ActiveRange</c>). In a batch sorted by length that leaves the ended rows out; the outputs, final
/// states and gradients must still be those of each sequence run on its own.
/// </summary>
public class ActiveRangeTests
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { "lstm", true }, { "lstm", false }, { "gru", true }, { "gru", false }, { "gru-cho", true }, { "rnn", false },
    };

    private static RecurrentLayer Create(string cell, RandomGenerator r) => cell switch
    {
        "lstm" => new Lstm(3, 5, random: r),
        "gru" => new Gru(3, 5, random: r),
        "gru-cho" => new Gru(3, 5, variant: GruVariant.Cho, random: r),
        "rnn" => new Rnn(3, 5, random: r),
        _ => throw new ArgumentException(cell),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_batch_sorted_by_length_equals_its_sequences_one_by_one(string cell, bool descending)
    {
        const int T = 7, B = 6, I = 3, H = 5;
        int[] lengths = descending ? [7, 6, 4, 4, 2, 1] : [1, 2, 4, 4, 6, 7];
        var r = new RandomGenerator(31);
        var layer = Create(cell, r);
        var x = Tensor.RandomNormal(r, 0f, 1f, T, B, I);
        var weights = Tensor.RandomNormal(r, 0f, 1f, T, B, H);
        var hiddenWeights = Tensor.RandomNormal(r, 0f, 1f, 1, B, H);

        // the batch: loss = Σ output ⊙ weights + Σ h_n ⊙ hiddenWeights
        var xb = x.Clone().WithGrad();
        var batched = layer.Forward(xb, null, null, lengths);
        ((batched.Output * weights).Sum() + (batched.Hidden * hiddenWeights).Sum()).Backward();
        var batchGrads = layer.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        foreach (var p in layer.Parameters()) p.ZeroGrad();

        var sumGrads = batchGrads.Select(g => new double[g.Length]).ToArray();
        for (int b = 0; b < B; b++)
        {
            int len = lengths[b];
            var xs = Tensor.FromArray(Enumerable.Range(0, len).SelectMany(t => x.ToArray().AsSpan((t * B + b) * I, I).ToArray()).ToArray(), len, 1, I).WithGrad();
            var ws = Tensor.FromArray(Enumerable.Range(0, len).SelectMany(t => weights.ToArray().AsSpan((t * B + b) * H, H).ToArray()).ToArray(), len, 1, H);
            var hw = Tensor.FromArray(hiddenWeights.ToArray().AsSpan(b * H, H).ToArray(), 1, 1, H);
            var alone = layer.Forward(xs);
            ((alone.Output * ws).Sum() + (alone.Hidden * hw).Sum()).Backward();
            for (int t = 0; t < T; t++)
            {
                var got = batched.Output.ToArray().AsSpan((t * B + b) * H, H).ToArray();
                var want = t < len ? alone.Output.ToArray().AsSpan(t * H, H).ToArray() : new float[H];
                TensorAssert.Close(want, got, 1e-5, $"{cell} output t={t} b={b}");
                var gotDx = xb.Grad!.ToArray().AsSpan((t * B + b) * I, I).ToArray();
                var wantDx = t < len ? xs.Grad!.ToArray().AsSpan(t * I, I).ToArray() : new float[I];
                TensorAssert.Close(wantDx, gotDx, 1e-5, $"{cell} dx t={t} b={b}");
            }
            TensorAssert.Close(alone.Hidden.ToArray(), batched.Hidden.ToArray().AsSpan(b * H, H).ToArray(), 1e-5, $"{cell} h_n b={b}");
            var ps = layer.Parameters().ToArray();
            for (int k = 0; k < ps.Length; k++)
            {
                var g = ps[k].Grad!.ToArray();
                for (int i = 0; i < g.Length; i++) sumGrads[k][i] += g[i];
                ps[k].ZeroGrad();
            }
        }
        for (int k = 0; k < batchGrads.Length; k++)
            TensorAssert.Close(sumGrads[k].Select(v => (float)v).ToArray(), batchGrads[k], 1e-4, $"{cell} parameter {k} gradient");
    }
}
