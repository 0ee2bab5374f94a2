using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Recurrent;

/// <summary>A minimal Adam for tests of the recurrent floor, which sits below the Training floor's optimizers.</summary>
internal sealed class TestAdam(IReadOnlyList<Tensor> parameters, float lr)
{
    private readonly float[][] m = parameters.Select(p => new float[p.Length]).ToArray();
    private readonly float[][] v = parameters.Select(p => new float[p.Length]).ToArray();
    private int t;

    public void Step()
    {
        t++;
        float c1 = 1f - MathF.Pow(0.9f, t), c2 = 1f - MathF.Pow(0.999f, t);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = parameters[i].Grad;
            if (g is null) continue;
            var p = parameters[i].Data;
            for (int j = 0; j < p.Length; j++)
            {
                m[i][j] = 0.9f * m[i][j] + 0.1f * g.Data[j];
                v[i][j] = 0.999f * v[i][j] + 0.001f * g.Data[j] * g.Data[j];
                p[j] -= lr * (m[i][j] / c1) / (MathF.Sqrt(v[i][j] / c2) + 1e-8f);
            }
        }
    }
}
