using RecurrentSharp.Tensors;
using RecurrentSharp.Training.Distributed;

namespace RecurrentSharp.Tests.Training.Distributed;

/// <summary>The gradient average of <see cref="DataParallel"/> over ranks run as threads, with buckets far smaller than the gradients.</summary>
public class DataParallelGradientTests
{
    [Theory]
    [InlineData(12)]      // 3 floats a bucket: buckets cut through the flags and every parameter
    [InlineData(4096)]    // everything in one bucket
    public void Each_gradient_becomes_the_example_weighted_mean_and_a_gradient_of_one_rank_only_reaches_all(int bucketBytes)
    {
        int[] lengths = [5, 1, 4, 7];
        int[] examples = [3, 5];
        var ranks = new ThreadedRanks(2);
        var results = new Tensor?[2][];
        ranks.Run(communicator =>
        {
            int r = communicator.Rank;
            var parameters = lengths.Select(n => Tensor.Zeros(n)).ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                if (p == 1 && r == 0) continue;   // parameter 1 has a gradient on rank 1 only
                if (p == 3) continue;             // parameter 3 on neither rank
                parameters[p].Grad = Tensor.Zeros(lengths[p]);
                for (int i = 0; i < lengths[p]; i++) parameters[p].Grad!.Data[i] = Gradient(r, p, i);
            }
            var parallel = new DataParallel(communicator, bucketBytes);
            parallel.AverageGradients(parameters, examples[r], examples.Sum(), step: 0);
            results[r] = parameters.Select(p => p.Grad).ToArray();
        });
        for (int r = 0; r < 2; r++)
        {
            Assert.Null(results[r][3]);
            for (int p = 0; p < 3; p++)
                for (int i = 0; i < lengths[p]; i++)
                {
                    double expected = (p == 1 ? 0 : examples[0] * Gradient(0, p, i)) / 8.0 + examples[1] * Gradient(1, p, i) / 8.0;
                    Assert.Equal(expected, results[r][p]!.Data[i], 5);
                }
        }
    }

    [Fact]
    public void The_loss_is_the_example_weighted_mean_and_any_rank_asking_to_stop_stops_all()
    {
        var ranks = new ThreadedRanks(3);
        var totals = new (double Loss, long Examples, bool DrewRandom, bool Cancelled)[3];
        ranks.Run(c => totals[c.Rank] = new DataParallel(c).ReduceLoss(loss: c.Rank + 1, examples: 2 * c.Rank + 1, drewRandom: false, cancel: c.Rank == 2, step: 0));
        foreach (var t in totals)
        {
            Assert.Equal((1 * 1 + 2 * 3 + 3 * 5) / 9.0, t.Loss, 12);
            Assert.Equal(9, t.Examples);
            Assert.False(t.DrewRandom);
            Assert.True(t.Cancelled);
        }
    }

    [Fact]
    public void Parameters_that_differ_on_a_rank_are_reported_naming_it()
    {
        var ranks = new ThreadedRanks(2);
        var errors = new string?[2];
        ranks.Run(c =>
        {
            var parameter = Tensor.Zeros(4);
            if (c.Rank == 1) parameter.Data[2] = 1e-7f;
            try { new DataParallel(c).VerifyIdentical([parameter], step: 7); }
            catch (DistributedException e) { errors[c.Rank] = e.Message; }
        });
        Assert.All(errors, e => Assert.Contains("after step 7 the parameters of rank 1 (1 values) differ from rank 0's", e));
    }

    private static float Gradient(int rank, int parameter, int index) => (rank + 1) * 0.5f + parameter * 1.25f - index * 0.125f;
}
