namespace RecurrentSharp.Training.Metrics;

/// <summary>Accumulates squared and absolute errors (in double) for RMSE and MAE.</summary>
public sealed class RegressionMetrics
{
    private double squared, absolute;

    /// <summary>The number of values counted.</summary>
    public long Count { get; private set; }

    /// <summary>Counts one prediction.</summary>
    public void Add(double predicted, double actual)
    {
        double e = predicted - actual;
        squared += e * e;
        absolute += Math.Abs(e);
        Count++;
    }

    /// <summary>Counts predictions element by element.</summary>
    public void AddRange(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length) throw new ArgumentException($"{predicted.Length} predictions but {actual.Length} targets.");
        for (int i = 0; i < predicted.Length; i++) Add(predicted[i], actual[i]);
    }

    /// <summary>Root mean squared error.</summary>
    public double Rmse => Count == 0 ? 0 : Math.Sqrt(squared / Count);

    /// <summary>Mean absolute error.</summary>
    public double Mae => Count == 0 ? 0 : absolute / Count;

    /// <summary>Mean squared error.</summary>
    public double Mse => Count == 0 ? 0 : squared / Count;
}

/// <summary>Language-model figures from the mean cross-entropy in nats per token.</summary>
public static class LanguageModelMetrics
{
    /// <summary>Perplexity: e^(mean nats per token).</summary>
    public static double Perplexity(double meanNats) => Math.Exp(meanNats);

    /// <summary>Bits per character (token): nats / ln 2.</summary>
    public static double BitsPerCharacter(double meanNats) => meanNats / Math.Log(2);
}
