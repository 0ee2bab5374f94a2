namespace RecurrentSharp.Models;

/// <summary>
/// Which tag sequences a decoder may emit: the tags allowed first, the tags allowed last, and the allowed
/// moves from tag i to tag j. A tag allowed nowhere is never predicted (e.g. a vocabulary's &lt;pad&gt; and &lt;unk&gt;).
/// </summary>
public sealed class TagConstraints
{
    private TagConstraints(int tags, bool[] allowed, bool[] allowedStart, bool[] allowedEnd, bool[] usable)
    {
        Tags = tags;
        Allowed = allowed;
        AllowedStart = allowedStart;
        AllowedEnd = allowedEnd;
        Usable = usable;
    }

    /// <summary>The number of tags.</summary>
    public int Tags { get; }

    /// <summary>Allowed[i·Tags + j]: tag j may follow tag i.</summary>
    public IReadOnlyList<bool> Allowed { get; }

    /// <summary>AllowedStart[j]: a sentence may begin with tag j.</summary>
    public IReadOnlyList<bool> AllowedStart { get; }

    /// <summary>AllowedEnd[j]: a sentence may end with tag j.</summary>
    public IReadOnlyList<bool> AllowedEnd { get; }

    /// <summary>Usable[j]: tag j may be predicted at all (a per-word decoder takes its argmax over these).</summary>
    public IReadOnlyList<bool> Usable { get; }

    /// <summary>Every tag except <paramref name="excluded"/> may appear anywhere, after anything.</summary>
    public static TagConstraints Unconstrained(int tags, Func<int, bool>? excluded = null)
    {
        var usable = Enumerable.Range(0, tags).Select(j => excluded is null || !excluded(j)).ToArray();
        var allowed = new bool[tags * tags];
        for (int i = 0; i < tags; i++)
            for (int j = 0; j < tags; j++)
                allowed[i * tags + j] = usable[i] && usable[j];
        return Create(tags, allowed, (bool[])usable.Clone(), (bool[])usable.Clone(), usable);
    }

    /// <summary>
    /// The BIO scheme over tag names <c>O</c>, <c>B-x</c>, <c>I-x</c>: I-x only after B-x or I-x of the same x,
    /// never first; any other tag (<c>O</c>, or a name of no BIO form) may follow anything and end a sentence.
    /// A null name (e.g. a vocabulary's reserved &lt;pad&gt;) is never predicted.
    /// </summary>
    public static TagConstraints Bio(IReadOnlyList<string?> names)
    {
        int tags = names.Count;
        var kinds = names.Select(n => n switch
        {
            null => ('\0', ""),
            ['B', '-', .. var rest] when rest.Length > 0 => ('B', rest),
            ['I', '-', .. var rest] when rest.Length > 0 => ('I', rest),
            _ => ('O', ""),
        }).ToArray();
        var usable = kinds.Select(k => k.Item1 != '\0').ToArray();
        var allowed = new bool[tags * tags];
        var start = new bool[tags];
        for (int j = 0; j < tags; j++)
        {
            start[j] = usable[j] && kinds[j].Item1 != 'I';
            for (int i = 0; i < tags; i++)
                allowed[i * tags + j] = usable[i] && usable[j]
                    && (kinds[j].Item1 != 'I' || (kinds[i].Item1 is 'B' or 'I' && kinds[i].Item2 == kinds[j].Item2));
        }
        return Create(tags, allowed, start, (bool[])usable.Clone(), usable);
    }

    /// <summary>True when <paramref name="path"/> starts, moves and ends only as allowed.</summary>
    public bool Permits(IReadOnlyList<int> path)
    {
        if (path.Count == 0) return true;
        if (!AllowedStart[path[0]] || !AllowedEnd[path[^1]]) return false;
        for (int t = 1; t < path.Count; t++)
            if (!Allowed[path[t - 1] * Tags + path[t]]) return false;
        return true;
    }

    private static TagConstraints Create(int tags, bool[] allowed, bool[] start, bool[] end, bool[] usable)
    {
        if (!start.Any(s => s) || !end.Any(s => s))
            throw new ArgumentException("TagConstraints: no tag may start or no tag may end a sentence, so nothing can be decoded.");
        return new TagConstraints(tags, allowed, start, end, usable);
    }
}
