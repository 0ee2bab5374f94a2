namespace RecurrentSharp.Data;

/// <summary>
/// An affine normalization of a series, z = (x − Offset) / Scale, fitted on the training part only
/// (so nothing of the evaluation part leaks into training), with its inverse to report errors in the
/// data's own units. A record, so it serializes with the model.
/// </summary>
/// <param name="Offset">Subtracted first (the mean, or the minimum).</param>
/// <param name="Scale">Divided by next (the standard deviation, or max − min); never 0.</param>
public sealed record SeriesScaler(double Offset, double Scale)
{
    /// <summary>Standardization: Offset = mean, Scale = population standard deviation (1 for a constant series).</summary>
    public static SeriesScaler FitStandard(ReadOnlySpan<float> training)
    {
        if (training.IsEmpty) throw new ArgumentException("Cannot fit a scaler on an empty series.");
        double sum = 0;
        foreach (float x in training) sum += x;
        double mean = sum / training.Length;
        double squares = 0;
        foreach (float x in training) squares += (x - mean) * (x - mean);
        double std = Math.Sqrt(squares / training.Length);
        return new SeriesScaler(mean, std > 0 ? std : 1);
    }

    /// <summary>Min-max scaling to [0, 1] over the training part: Offset = min, Scale = max − min (1 for a constant series).</summary>
    public static SeriesScaler FitMinMax(ReadOnlySpan<float> training)
    {
        if (training.IsEmpty) throw new ArgumentException("Cannot fit a scaler on an empty series.");
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float x in training)
        {
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }
        return new SeriesScaler(min, max > min ? (double)max - min : 1);
    }

    /// <summary>z = (x − Offset) / Scale.</summary>
    public float Transform(float x) => (float)((x - Offset) / Scale);

    /// <summary>x = z · Scale + Offset.</summary>
    public float Inverse(float z) => (float)(z * Scale + Offset);

    /// <summary>The normalized copy of a series.</summary>
    public float[] Transform(ReadOnlySpan<float> values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = Transform(values[i]);
        return result;
    }

    /// <summary>The series back in the data's units.</summary>
    public float[] Inverse(ReadOnlySpan<float> values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = Inverse(values[i]);
        return result;
    }
}
