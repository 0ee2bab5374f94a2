using RecurrentSharp.Tensors;

namespace RecurrentSharp.Data;

/// <summary>
/// The adding problem (Hochreiter and Schmidhuber 1997; in the form of Le et al. 2015), a generated
/// long-memory task: each step carries a random value in [0, 1) and a marker; exactly two steps are
/// marked, one in each half of the sequence, and the target is the sum of the two marked values. Always
/// answering 1 (the mean) gives a mean squared error of 1/6 ≈ 0.167; doing better means remembering a
/// value across up to T steps.
/// </summary>
public static class AddingProblem
{
    /// <summary>The mean squared error of the constant answer 1.0: Var(u1 + u2) = 2/12.</summary>
    public const float BaselineMse = 1f / 6f;

    /// <summary>
    /// A batch: inputs (T, B, 2) time-major (value, marker) and targets (B, 1), drawn from <paramref name="random"/>.
    /// </summary>
    public static (Tensor Inputs, Tensor Targets) Batch(RandomGenerator random, int batch, int steps)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "The adding problem needs at least 2 steps.");
        var inputs = Tensor.Zeros(steps, batch, 2);
        var targets = Tensor.Zeros(batch, 1);
        var x = inputs.Data;
        int half = steps / 2;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++) x[(t * batch + b) * 2] = random.NextFloat();
            int first = random.Next(half), second = half + random.Next(steps - half);
            x[(first * batch + b) * 2 + 1] = 1f;
            x[(second * batch + b) * 2 + 1] = 1f;
            targets.Data[b] = x[(first * batch + b) * 2] + x[(second * batch + b) * 2];
        }
        return (inputs, targets);
    }
}
