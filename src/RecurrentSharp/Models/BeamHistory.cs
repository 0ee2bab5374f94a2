namespace RecurrentSharp.Models;

/// <summary>
/// The back-pointers of a beam search, so that a hypothesis's tokens are written out only when it finishes. After
/// step t, live slot s holds the hypothesis that extended slot <c>parent[t, s]</c> of the step before by the token
/// <c>token[t, s]</c>; its tokens are read backwards:
/// <code>
/// y_t = token[t, s],   y_{t−1} = token[t − 1, s'] with s' = parent[t, s],   …   down to step 0
/// </code>
/// (before step 0 there is one empty hypothesis, in slot 0). Holds width × steps of each, allocated once per search.
/// </summary>
internal sealed class BeamHistory(int width, int steps)
{
    private readonly int[] parents = new int[width * steps];
    private readonly int[] tokens = new int[width * steps];

    /// <summary>After step <paramref name="step"/>, slot <paramref name="slot"/> holds slot <paramref name="parent"/> of the step before extended by <paramref name="token"/>.</summary>
    public void Record(int step, int slot, int parent, int token)
    {
        parents[step * width + slot] = parent;
        tokens[step * width + slot] = token;
    }

    /// <summary>The parent slots of the first <paramref name="count"/> slots after <paramref name="step"/>, as a new array.</summary>
    public int[] Parents(int step, int count) => parents.AsSpan(step * width, count).ToArray();

    /// <summary>The last tokens of the first <paramref name="count"/> slots after <paramref name="step"/>, as a new array.</summary>
    public int[] LastTokens(int step, int count) => tokens.AsSpan(step * width, count).ToArray();

    /// <summary>
    /// The <paramref name="length"/> tokens, step 0's first, of the hypothesis in slot <paramref name="slot"/> after step
    /// <paramref name="length"/> − 1 (length 0: the empty start), followed by <paramref name="last"/> when it is given.
    /// </summary>
    public int[] Tokens(int length, int slot, int? last = null)
    {
        var result = new int[last is null ? length : length + 1];
        if (last is int token) result[length] = token;
        for (int t = length - 1; t >= 0; t--)
        {
            result[t] = tokens[t * width + slot];
            slot = parents[t * width + slot];
        }
        return result;
    }
}
