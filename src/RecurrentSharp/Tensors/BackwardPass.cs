namespace RecurrentSharp.Tensors;

/// <summary>
/// Reverse-mode differentiation: walks the recorded graph from the loss back to the leaves, calling
/// each operation's chain rule once all the gradients of its outputs are known.
/// </summary>
internal static class BackwardPass
{
    public static void Run(Tensor root, Tensor? seed)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the tensor does not require a gradient (no input of the computation had RequiresGrad set, or it ran inside a NoGradScope).");
        if (seed is null)
        {
            if (root.Length != 1)
                throw new TensorShapeException("Backward", $"a gradient must be given for a non-scalar tensor of shape {TensorShape.Format(root.Shape)}");
            seed = Tensor.Ones(root.GetShape());
        }
        else if (!TensorShape.SameAs(seed.Shape, root.Shape))
        {
            throw new TensorShapeException("Backward", $"gradient shape {TensorShape.Format(seed.Shape)} differs from tensor shape {TensorShape.Format(root.Shape)}");
        }

        using var noGrad = new NoGradScope();
        if (root.GradFn is null)
        {
            AccumulateInto(root, seed);
            return;
        }
        if (root.RetainsGrad) AccumulateInto(root, seed);

        var order = TopologicalOrder(root.GradFn);
        var pending = new Dictionary<GradNode, Tensor?[]>(ReferenceEqualityComparer.Instance);
        pending[root.GradFn] = new Tensor?[root.GradFn.OutputShapes.Length];
        pending[root.GradFn][root.OutputIndex] = seed;

        foreach (var node in order)
        {
            if (!pending.Remove(node, out var outputGrads)) continue;
            var inputGrads = node.Backward(outputGrads);
            if (inputGrads.Length != node.Inputs.Length)
                throw new InvalidOperationException($"Backward of {node.Operation} returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs.");
            for (int i = 0; i < inputGrads.Length; i++)
            {
                var g = inputGrads[i];
                var input = node.Inputs[i];
                if (g is null || !input.RequiresGrad) continue;
                if (!TensorShape.SameAs(g.Shape, input.Shape))
                    throw new InvalidOperationException($"Backward of {node.Operation}: gradient for input {i} has shape {TensorShape.Format(g.Shape)}, input has {TensorShape.Format(input.Shape)}.");
                if (input.GradFn is null)
                {
                    AccumulateInto(input, g, mayTake: true);   // a leaf's gradient goes nowhere else
                    continue;
                }
                if (input.RetainsGrad) AccumulateInto(input, g);
                if (!pending.TryGetValue(input.GradFn, out var slots))
                {
                    slots = new Tensor?[input.GradFn.OutputShapes.Length];
                    pending[input.GradFn] = slots;
                }
                var existing = slots[input.OutputIndex];
                slots[input.OutputIndex] = existing is null ? g : Tensor.Add(existing, g);
            }
        }
    }

    /// <summary>Nodes ordered so that each comes before every node that produced one of its inputs.</summary>
    private static List<GradNode> TopologicalOrder(GradNode root)
    {
        var postOrder = new List<GradNode>();
        var visited = new HashSet<GradNode>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(GradNode Node, int NextInput)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = node.Inputs[next].GradFn;
                if (child is not null && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                postOrder.Add(node);
            }
        }
        postOrder.Reverse();
        return postOrder;
    }

    /// <summary>
    /// t.Grad += g. With <paramref name="mayTake"/> (g flows nowhere else), a g its rule owns outright becomes an empty
    /// t.Grad as it is (once: it then belongs to t); otherwise g is copied, since a retained non-leaf gradient also waits
    /// in the pending sums, which a later in-place accumulation into t.Grad must not change.
    /// </summary>
    private static void AccumulateInto(Tensor t, Tensor g, bool mayTake = false)
    {
        if (t.Grad is null)
        {
            if (mayTake && g.SoleOwner) g.SoleOwner = false;
            else g = g.Clone();
            t.Grad = g;
        }
        else
        {
            var dst = t.Grad.Data;
            System.Numerics.Tensors.TensorPrimitives.Add(dst, g.Data, dst);
        }
    }
}
