using System.Globalization;

namespace RecurrentSharp.Tasks.Common;

/// <summary>
/// Code vectors as text: written as numbers separated by spaces (round-trip precision), read from a file of one vector
/// per line or from a list given on the command line (numbers separated by commas and/or spaces).
/// </summary>
public static class CodeVectors
{
    /// <summary>One vector as a line of numbers ("R" format: reading it back gives the same floats).</summary>
    public static string Format(ReadOnlySpan<float> vector)
    {
        var parts = new string[vector.Length];
        for (int i = 0; i < vector.Length; i++) parts[i] = vector[i].ToString("R", CultureInfo.InvariantCulture);
        return string.Join(' ', parts);
    }

    /// <summary>
    /// The vectors <paramref name="value"/> names: when it is an existing file, every non-empty line of it; otherwise the
    /// value itself as one vector. Each must have <paramref name="width"/> numbers; anything else is a
    /// <see cref="TaskUsageException"/> naming the file and line (or the list) and what was wrong.
    /// </summary>
    public static List<float[]> Parse(string value, int width)
    {
        var vectors = new List<float[]>();
        if (File.Exists(value))
        {
            int number = 0;
            foreach (var line in File.ReadLines(value))
            {
                number++;
                if (line.Trim().Length > 0) vectors.Add(ParseOne(line, width, $"{value}, line {number}"));
            }
            if (vectors.Count == 0) throw new TaskUsageException($"--decode-vector {value}: the file holds no vector (one line of {width} numbers per vector).");
            return vectors;
        }
        vectors.Add(ParseOne(value, width, "--decode-vector"));
        return vectors;
    }

    private static float[] ParseOne(string text, int width, string where)
    {
        var parts = text.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            throw new TaskUsageException($"{where}: '{(parts[0].Length > 40 ? parts[0][..40] + "…" : parts[0])}' is neither a file nor a list of numbers.");
        if (parts.Length != width)
            throw new TaskUsageException($"{where}: {parts.Length} numbers, but this model's vectors have {width} (print one with --vector).");
        var vector = new float[width];
        for (int i = 0; i < width; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[i]) || !float.IsFinite(vector[i]))
                throw new TaskUsageException($"{where}: number {i + 1}, '{parts[i]}', is not a finite number.");
        return vector;
    }
}
