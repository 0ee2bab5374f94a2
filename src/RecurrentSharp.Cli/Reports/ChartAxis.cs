using System.Globalization;

namespace RecurrentSharp.Cli.Reports;

/// <summary>A tick of a chart axis: its value (in data units, also on a log axis) and its label.</summary>
internal readonly record struct AxisTick(double Value, string Label);

/// <summary>
/// A chart axis: the range it spans and its labelled ticks. A linear axis takes "nice" steps (1, 2 or 5 times a
/// power of ten) and spans whole steps around the data; a log axis spans whole decades, from the decade at or below
/// the smallest value to the one at or above the largest, with a tick on every decade (every 2nd, 3rd, 5th, ...
/// decade when there are too many for the axis, and then the ends grow to the next labelled decade).
/// </summary>
internal sealed class ChartAxis
{
    private static readonly int[] Mantissas = [1, 2, 5];
    private static readonly int[] DecadeSteps = [1, 2, 3, 5, 10, 20, 50, 100];

    private ChartAxis(bool log, double low, double high, IReadOnlyList<AxisTick> ticks)
    {
        Log = log;
        Low = low;
        High = high;
        Ticks = ticks;
    }

    /// <summary>True for a log10 axis.</summary>
    public bool Log { get; }

    /// <summary>The start of the axis in axis units (log10 of the value on a log axis).</summary>
    public double Low { get; }

    /// <summary>The end of the axis in axis units.</summary>
    public double High { get; }

    /// <summary>The labelled ticks, lowest first.</summary>
    public IReadOnlyList<AxisTick> Ticks { get; }

    /// <summary>Where <paramref name="value"/> lies along the axis: 0 at the start, 1 at the end; NaN for a value a log axis cannot show (≤ 0).</summary>
    public double Fraction(double value)
    {
        double v = Log ? (value > 0 ? Math.Log10(value) : double.NaN) : value;
        return (v - Low) / (High - Low);
    }

    /// <summary>
    /// A linear axis over [<paramref name="min"/>, <paramref name="max"/>] with at most <paramref name="maxTicks"/>
    /// ticks; <paramref name="integers"/> keeps the step at least 1 (for epochs, steps). A single value gets room around it.
    /// </summary>
    public static ChartAxis Linear(double min, double max, int maxTicks = 6, bool integers = false)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max) throw new ArgumentException($"no axis over [{min}, {max}]");
        maxTicks = Math.Max(2, maxTicks);
        if (max == min)
        {
            double room = integers ? 1 : min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - room, max + room);
        }
        // The smallest nice step that covers the range in at most maxTicks - 1 whole steps.
        int exponent = (int)Math.Floor(Math.Log10((max - min) / (maxTicks - 1)));
        double step = 0;
        long first = 0, last = 0;
        for (int e = exponent; step == 0; e++)
            foreach (int m in Mantissas)
            {
                double candidate = m * Math.Pow(10, e);
                if (integers && candidate < 1) continue;
                long a = (long)Math.Floor(min / candidate + 1e-9), b = (long)Math.Ceiling(max / candidate - 1e-9);
                if (b - a > maxTicks - 1) continue;
                (step, first, last) = (candidate, a, b);
                break;
            }
        var ticks = new List<AxisTick>();
        for (long k = first; k <= last; k++)
        {
            double value = k * step;
            ticks.Add(new AxisTick(value, LinearLabel(value, step)));
        }
        return new ChartAxis(false, first * step, last * step, ticks);
    }

    /// <summary>
    /// A log10 axis from the decade at or below <paramref name="min"/> to the decade at or above <paramref name="max"/>
    /// (both &gt; 0), labelled at whole decades, at most <paramref name="maxTicks"/> of them.
    /// </summary>
    public static ChartAxis Logarithmic(double min, double max, int maxTicks = 10)
    {
        if (!(min > 0) || !(max >= min) || !double.IsFinite(max)) throw new ArgumentException($"no log axis over [{min}, {max}]");
        int low = (int)Math.Floor(Math.Log10(min) + 1e-9), high = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (high == low) high++;
        int step = DecadeSteps.FirstOrDefault(s => CountMultiples(low, high, s) <= Math.Max(2, maxTicks), DecadeSteps[^1]);
        // Both ends on a labelled decade: the axis grows to the multiples of the step around the data.
        (low, high) = (FloorTo(low, step), -FloorTo(-high, step));
        bool plain = low >= -3 && high <= 3;   // 0.001 ... 1000 read best as numbers; beyond, every label is a power of ten
        var ticks = Enumerable.Range(low, high - low + 1).Where(n => n % step == 0)
            .Select(n => new AxisTick(Math.Pow(10, n), plain ? Math.Pow(10, n).ToString("0.###", CultureInfo.InvariantCulture) : PowerOfTen(n))).ToList();
        return new ChartAxis(true, low, high, ticks);
    }

    private static int FloorTo(int n, int step) => (int)Math.Floor(n / (double)step) * step;

    private static int CountMultiples(int low, int high, int step) => Enumerable.Range(low, high - low + 1).Count(n => n % step == 0);

    /// <summary>A tick value with just the decimals its step needs ("0.25" for steps of 0.05), in powers of ten for very small or large steps.</summary>
    internal static string LinearLabel(double value, double step)
    {
        if (Math.Abs(value) < step * 1e-6) return "0";
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        if (step < 1e-3 || step >= 1e6) return value.ToString("0.###e0", CultureInfo.InvariantCulture);
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>10 with a superscript exponent: 10⁻¹⁴.</summary>
    internal static string PowerOfTen(int exponent)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        var text = exponent.ToString(CultureInfo.InvariantCulture);
        return "10" + string.Concat(text.Select(c => c == '-' ? '⁻' : digits[c - '0']));
    }
}
