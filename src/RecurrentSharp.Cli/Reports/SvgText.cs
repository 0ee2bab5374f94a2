using System.Globalization;
using System.Text;
using RecurrentSharp.Tasks.Translation;

namespace RecurrentSharp.Cli.Reports;

/// <summary>Writing SVG markup: numbers with a dot whatever the culture, and the width a label will take.</summary>
internal static class SvgText
{
    /// <summary>Appends <paramref name="markup"/> with its numbers formatted in the invariant culture.</summary>
    public static void Append(StringBuilder svg, FormattableString markup) => svg.Append(markup.ToString(CultureInfo.InvariantCulture));

    /// <summary>About how many pixels <paramref name="text"/> takes at a font size of 12 (a CJK character counts as two Latin ones).</summary>
    public static double Width(string text) => 7 * AlignmentGrid.Width(text);
}
