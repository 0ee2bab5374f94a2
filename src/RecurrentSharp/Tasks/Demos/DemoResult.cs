namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// What a demo computed. Each demo returns its own record (the numbers, serialised by <c>rnn demo --json</c>)
/// derived from this one, which also lays the numbers out as tables, notes and charts for the command to draw
/// (those presentation members are left out of the JSON).
/// </summary>
public abstract record DemoResult
{
    /// <summary>The demo's name (<c>rnn demo NAME</c>).</summary>
    public abstract string Name { get; }

    /// <summary>A one-line heading.</summary>
    public abstract string Title { get; }

    /// <summary>What the demo shows, in a few sentences before the tables.</summary>
    public abstract IReadOnlyList<string> Introduction { get; }

    /// <summary>The step-by-step tables.</summary>
    public abstract IReadOnlyList<DemoTable> Tables { get; }

    /// <summary>What to read from the tables, built from the computed numbers.</summary>
    public abstract IReadOnlyList<string> Conclusions { get; }

    /// <summary>Line charts for the HTML report (none by default).</summary>
    public virtual IReadOnlyList<DemoChart> Charts => [];
}
