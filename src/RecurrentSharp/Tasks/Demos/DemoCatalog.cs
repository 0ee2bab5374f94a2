namespace RecurrentSharp.Tasks.Demos;

/// <summary>The demos of <c>rnn demo</c>: worked examples of recurrent networks, each computed by the library at run time.</summary>
public static class DemoCatalog
{
    /// <summary>Every demo in the order <c>rnn demo</c> lists them: name, one-line summary, and how to run it.</summary>
    public static IReadOnlyList<(string Name, string Summary, Func<DemoResult> Run)> All { get; } =
    [
        (ElmanMemoryDemo.Name, "a linear RNN with all weights 1 remembers its inputs: the outputs of [1,1], [1,1], [2,2], and of the same inputs reordered", ElmanMemoryDemo.Run),
        (LstmGatesDemo.Name, "one LSTM cell with hand-set gates writes, keeps, resets and shows a number over seven steps", LstmGatesDemo.Run),
        (ExplodingDemo.Name, "y_1000 = w^999 for w = 1, 1.01, 0.99, 0.01: cliffs in the loss, and what gradient clipping does", ExplodingDemo.Run),
        (BpttDemo.Name, "dE_3/dW of a three-step Elman network as a sum of chain-rule terms, beside autograd", BpttDemo.Run),
        (ShapesDemo.Name, "one-to-one, one-to-many, many-to-one, many-to-many: the tensor shapes at every stage", () => ShapesDemo.Run()),
        (VanishingDemo.Name, "per-step gradient norms of a plain RNN and an LSTM on one sequence (then: rnn train)", () => VanishingDemo.Run()),
    ];

    /// <summary>The demo called <paramref name="name"/>; a <see cref="TaskUsageException"/> listing the names otherwise.</summary>
    public static (string Name, string Summary, Func<DemoResult> Run) Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found
            : throw new TaskUsageException($"Unknown demo '{name}'. Demos: {string.Join(", ", All.Select(d => d.Name))}.");
}
