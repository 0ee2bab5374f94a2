using System.Globalization;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// What <c>rnn predict</c> of an autoencoder prints for one input (<see cref="CodeRequest"/>): with <c>--vector</c> alone only
/// the vector line (so the output is a file <c>--decode-vector</c> reads); otherwise "input → reconstruction", then the
/// vector line when asked, then one line per nearest training example: its cosine similarity and its text.
/// </summary>
public static class CodeListing
{
    /// <summary>The lines for one input.</summary>
    public static IEnumerable<string> Lines(CodeRequest request, string input, string reconstruction, ReadOnlySpan<float> code,
        IEnumerable<(float Similarity, string Text)>? nearest)
    {
        var lines = new List<string>();
        if (request.Nearest > 0 || !request.Vector) lines.Add($"{input} → {reconstruction}");
        if (request.Vector) lines.Add(CodeVectors.Format(code));
        if (nearest is not null)
            lines.AddRange(nearest.Select(n => string.Create(CultureInfo.InvariantCulture, $"  {n.Similarity:F4}  {n.Text}")));
        return lines;
    }
}
