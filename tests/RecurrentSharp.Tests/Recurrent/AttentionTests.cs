using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>The attention layer: every scoring form against a brute-force reference and finite differences, masking, batching.</summary>
public class AttentionTests
{
    public static TheoryData<AttentionScore> Scores => new() { AttentionScore.Additive, AttentionScore.Dot, AttentionScore.General, AttentionScore.Concat };

    private const int Q = 4, K = 4;

    private static Attention Layer(AttentionScore score, RandomGenerator r) => new(score, Q, K, attentionSize: 3, random: r);

    /// <summary>The equations of each form written out in double, one query and one key at a time.</summary>
    private static (double[] Context, double[] Weights) Reference(Attention layer, float[] q, float[][] keys, int length)
    {
        var e = new double[length];
        for (int s = 0; s < length; s++)
        {
            var k = keys[s];
            switch (layer.Score)
            {
                case AttentionScore.Dot:
                    for (int i = 0; i < Q; i++) e[s] += q[i] * k[i];
                    break;
                case AttentionScore.General:
                    var w = layer.KeyWeight!;
                    for (int i = 0; i < Q; i++)
                        for (int j = 0; j < K; j++) e[s] += q[i] * w[i, j] * k[j];
                    break;
                default:
                    for (int a = 0; a < layer.AttentionSize; a++)
                    {
                        double x = 0;
                        for (int i = 0; i < Q; i++) x += layer.QueryWeight![a, i] * q[i];
                        for (int j = 0; j < K; j++) x += layer.KeyWeight![a, j] * k[j];
                        e[s] += layer.V![a] * Math.Tanh(x);
                    }
                    break;
            }
        }
        double max = e.Max(), sum = e.Sum(x => Math.Exp(x - max));
        var weights = new double[keys.Length];
        var context = new double[K];
        for (int s = 0; s < length; s++)
        {
            weights[s] = Math.Exp(e[s] - max) / sum;
            for (int j = 0; j < K; j++) context[j] += weights[s] * keys[s][j];
        }
        return (context, weights);
    }

    [Theory]
    [MemberData(nameof(Scores))]
    public void Every_form_matches_its_equations_written_out(AttentionScore score)
    {
        var r = new RandomGenerator(1);
        var layer = Layer(score, r);
        int[] lengths = [3, 1, 2];
        var queries = Tensor.RandomNormal(r, 0f, 1f, 3, 2, Q);
        var keys = Tensor.RandomNormal(r, 0f, 1f, 3, 3, K);
        var output = layer.Forward(queries, layer.Memory(keys, lengths));
        Assert.Equal(new[] { 3, 2, K }, output.Context.GetShape());
        Assert.Equal(new[] { 3, 2, 3 }, output.Weights.GetShape());
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 2; t++)
            {
                var q = Enumerable.Range(0, Q).Select(i => queries[b, t, i]).ToArray();
                var k = Enumerable.Range(0, 3).Select(s => Enumerable.Range(0, K).Select(j => keys[b, s, j]).ToArray()).ToArray();
                var (context, weights) = Reference(layer, q, k, lengths[b]);
                for (int j = 0; j < K; j++) Assert.Equal(context[j], output.Context[b, t, j], 5);
                for (int s = 0; s < 3; s++) Assert.Equal(weights[s], output.Weights[b, t, s], 5);
            }
    }

    [Theory]
    [MemberData(nameof(Scores))]
    public void Every_form_with_masks_and_variable_lengths_matches_finite_differences(AttentionScore score)
    {
        var r = new RandomGenerator(2);
        var layer = Layer(score, r);
        int[] lengths = [4, 2, 1];
        var queries = Input(r, 3, 2, Q);
        var keys = Input(r, 3, 4, K);
        var inputs = new List<Tensor> { queries, keys };
        inputs.AddRange(layer.Parameters());
        // Both outputs carry gradient: the context and the weights themselves.
        AssertGradientsMatch(() =>
        {
            var output = layer.Forward(queries, layer.Memory(keys, lengths));
            return [output.Context, output.Weights];
        }, inputs, step: 1e-2f, tolerance: 2e-3);
    }

    [Theory]
    [MemberData(nameof(Scores))]
    public void Padded_positions_get_weight_zero_and_no_gradient(AttentionScore score)
    {
        var r = new RandomGenerator(3);
        var layer = Layer(score, r);
        int[] lengths = [2, 3];
        var queries = Input(r, 2, 3, Q);
        var keys = Input(r, 2, 3, K);
        var output = layer.Forward(queries, layer.Memory(keys, lengths));
        for (int t = 0; t < 3; t++)
        {
            Assert.Equal(0f, output.Weights[0, t, 2]);
            Assert.Equal(1.0, output.Weights[0, t, 0] + output.Weights[0, t, 1], 6);
            Assert.Equal(1.0, output.Weights[1, t, 0] + output.Weights[1, t, 1] + output.Weights[1, t, 2], 6);
        }
        ((output.Context * Tensor.RandomNormal(r, 0f, 1f, 2, 3, K)).Sum() + (output.Weights * Tensor.RandomNormal(r, 0f, 1f, 2, 3, 3)).Sum()).Backward();
        var grad = keys.Grad!;
        for (int j = 0; j < K; j++) Assert.Equal(0f, grad[0, 2, j]);
        // ... while the real positions do get one (so the zero above is the mask, not a missing backward).
        Assert.Contains(Enumerable.Range(0, K), j => grad[0, 1, j] != 0f);
        Assert.Contains(Enumerable.Range(0, K), j => grad[1, 2, j] != 0f);

        // Whatever the padding holds changes nothing.
        var changed = keys.Detach().Clone();
        for (int j = 0; j < K; j++) changed.Data[(0 * 3 + 2) * K + j] = 1e6f;
        var again = layer.Forward(queries.Detach(), layer.Memory(changed, lengths));
        Assert.Equal(output.Context.ToArray(), again.Context.ToArray());
        Assert.Equal(output.Weights.ToArray(), again.Weights.ToArray());
    }

    [Theory]
    [MemberData(nameof(Scores))]
    public void A_padded_batch_equals_the_sources_one_by_one(AttentionScore score)
    {
        var r = new RandomGenerator(4);
        var layer = Layer(score, r);
        int[] lengths = [1, 4, 2];
        var queries = Tensor.RandomNormal(r, 0f, 1f, 3, 2, Q);
        var keys = Tensor.RandomNormal(r, 0f, 1f, 3, 4, K);
        var batch = layer.Forward(queries, layer.Memory(keys, lengths));
        for (int b = 0; b < 3; b++)
        {
            var q = queries.Slice(0, b, 1);
            var alone = layer.Forward(q, layer.Memory(OnlyRealSteps(keys, b, lengths[b]), [lengths[b]]));
            TensorAssert.Close(alone.Context, batch.Context.Slice(0, b, 1), 1e-6, $"context of source {b}");
            for (int t = 0; t < 2; t++)
                for (int s = 0; s < 4; s++)
                    Assert.Equal(s < lengths[b] ? alone.Weights[0, t, s] : 0f, batch.Weights[b, t, s], 6);
        }
    }

    /// <summary>Source b of the batch alone, without its padding: (1, length, K).</summary>
    private static Tensor OnlyRealSteps(Tensor keys, int b, int length)
    {
        var values = new float[length * K];
        for (int s = 0; s < length; s++)
            for (int j = 0; j < K; j++) values[s * K + j] = keys[b, s, j];
        return Tensor.FromArray(values, 1, length, K);
    }

    [Fact]
    public void Bad_shapes_and_lengths_are_named()
    {
        var r = new RandomGenerator(5);
        var layer = Layer(AttentionScore.Additive, r);
        var keys = Tensor.RandomNormal(r, 0f, 1f, 2, 3, K);
        Assert.Contains("length 0", Assert.Throws<TensorShapeException>(() => layer.Memory(keys, [0, 2])).Message);
        Assert.Contains("length 4", Assert.Throws<TensorShapeException>(() => layer.Memory(keys, [4, 2])).Message);
        Assert.Throws<TensorShapeException>(() => layer.Memory(keys, [1]));
        Assert.Throws<TensorShapeException>(() => layer.Forward(Tensor.Zeros(2, 1, Q + 1), layer.Memory(keys, [1, 2])));
        Assert.Throws<ArgumentException>(() => new Attention(AttentionScore.Dot, 3, 4));
    }
}
