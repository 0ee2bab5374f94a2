using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>Checkpoint averaging over the best epochs by a validation metric.</summary>
public class BestEpochAverageTests
{
    [Fact]
    public void Averages_the_parameters_of_the_n_epochs_with_the_best_metric()
    {
        var w = Tensor.Zeros(2);
        var b = Tensor.Zeros(1);
        var average = new BestEpochAverage([w, b], count: 2, minimize: true);
        // epoch k has w = (k, 10k), b = -k; validation errors 0.5, 0.2, 0.4, 0.3: the best two are epochs 2 and 4
        double[] errors = [0.5, 0.2, 0.4, 0.3];
        for (int k = 1; k <= 4; k++)
        {
            w.Data[0] = k;
            w.Data[1] = 10 * k;
            b.Data[0] = -k;
            average.Offer(errors[k - 1]);
        }
        Assert.Equal([2, 4], average.Epochs);
        average.LoadAverage();
        Assert.Equal([3f, 30f], w.ToArray());
        Assert.Equal([-3f], b.ToArray());
    }

    [Fact]
    public void Maximising_keeps_the_largest_and_a_non_finite_metric_is_never_kept()
    {
        var w = Tensor.Zeros(1);
        var average = new BestEpochAverage([w], count: 1, minimize: false);
        double[] accuracies = [0.6, double.NaN, 0.9, 0.9, 0.7];
        for (int k = 1; k <= accuracies.Length; k++)
        {
            w.Data[0] = k;
            average.Offer(accuracies[k - 1]);
        }
        Assert.Equal([3], average.Epochs);      // the first of two equal bests
        average.LoadAverage();
        Assert.Equal(3f, w.Data[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BestEpochAverage([w], 0, true));
    }
}
