namespace RecurrentSharp.Formats.Onnx;

/// <summary>
/// The structural checks a read graph must pass before anyone interprets it: graph names unique across the
/// model's subgraphs, every value defined once (graph input, initializer or node output), and every node
/// reading only values defined before it or in an enclosing graph. ONNX requires nodes in topological order,
/// so a node that reads a value produced later (a cycle, or an unsorted graph) is refused by name.
/// </summary>
internal static class OnnxGraphCheck
{
    public static void Check(OnnxGraph graph, string source) =>
        Check(graph, source, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    private static void Check(OnnxGraph graph, string source, HashSet<string> outer, HashSet<string> graphNames)
    {
        string where = graph.Name.Length > 0 ? $"graph '{graph.Name}'" : "an unnamed graph";
        if (graph.Name.Length > 0 && !graphNames.Add(graph.Name))
            throw new ModelFormatException($"{source}: two graphs are named '{graph.Name}' (a subgraph repeats an enclosing or sibling graph's name).");
        var defined = new HashSet<string>(outer, StringComparer.Ordinal);
        var own = new HashSet<string>(StringComparer.Ordinal);
        void Define(string name, string what)
        {
            if (name.Length == 0) return;
            if (!own.Add(name)) throw new ModelFormatException($"{source}: {where}: the value '{name}' is defined twice (again as {what}).");
            defined.Add(name);
        }
        foreach (var t in graph.Initializers) Define(t.Name, "an initializer");
        foreach (var input in graph.Inputs)
            if (!own.Contains(input.Name)) Define(input.Name, "a graph input");   // an input may repeat an initializer (a default value)
        for (int n = 0; n < graph.Nodes.Count; n++)
        {
            var node = graph.Nodes[n];
            string label = $"node {n} ({node.OpType}{(node.Name.Length > 0 ? " '" + node.Name + "'" : "")})";
            foreach (string input in node.Inputs)
                if (input.Length > 0 && !defined.Contains(input))
                    throw new ModelFormatException($"{source}: {where}: {label} reads '{input}', which no graph input, initializer or earlier node defines (a cycle, an unsorted graph or a missing value).");
            foreach (var a in node.Attributes)
                if (a.Graph is not null) Check(a.Graph, source, defined, graphNames);
            foreach (string output in node.Outputs) Define(output, $"an output of {label}");
        }
        foreach (var output in graph.Outputs)
            if (!defined.Contains(output.Name))
                throw new ModelFormatException($"{source}: {where}: the graph output '{output.Name}' is never computed.");
    }
}
