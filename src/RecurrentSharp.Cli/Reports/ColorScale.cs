using System.Globalization;

namespace RecurrentSharp.Cli.Reports;

/// <summary>Colour maps for heat maps: a fraction in [0, 1] (clamped) to an #rrggbb colour, interpolated between a few stops.</summary>
internal static class ColorScale
{
    private static readonly int[] BlueStops = [0xffffff, 0xc6dbef, 0x6baed6, 0x2171b5, 0x08306b];
    private static readonly int[] ViridisStops = [0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725];

    /// <summary>White (0) to dark blue (1): weights, where 0 should vanish into the page.</summary>
    public static string Blues(double t) => Interpolate(BlueStops, t);

    /// <summary>Dark violet (0) through teal to yellow (1), evenly bright-stepping: energies.</summary>
    public static string Viridis(double t) => Interpolate(ViridisStops, t);

    private static string Interpolate(int[] stops, double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        double position = t * (stops.Length - 1);
        int k = Math.Min(stops.Length - 2, (int)position);
        double f = position - k;
        int Channel(int shift) => (int)Math.Round(((stops[k] >> shift) & 0xff) * (1 - f) + ((stops[k + 1] >> shift) & 0xff) * f);
        return string.Create(CultureInfo.InvariantCulture, $"#{Channel(16):x2}{Channel(8):x2}{Channel(0):x2}");
    }
}
