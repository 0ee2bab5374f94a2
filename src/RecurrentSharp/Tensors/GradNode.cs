namespace RecurrentSharp.Tensors;

/// <summary>
/// One recorded operation in the autograd graph: its inputs and the rule that turns the gradients
/// of its outputs into gradients of its inputs (the chain rule for that operation).
/// </summary>
/// <remarks>
/// Most operations have one output; a fused recurrent layer has several (output, h_n, c_n) and gets
/// their gradients together, because its backward pass walks all time steps at once.
/// </remarks>
internal sealed class GradNode
{
    /// <summary>Given d loss / d output_j for each output (null where an output got no gradient), returns d loss / d input_i (null where not needed).</summary>
    public delegate Tensor?[] BackwardRule(Tensor?[] outputGradients);

    private GradNode(string operation, Tensor[] inputs, int[][] outputShapes, BackwardRule backward)
    {
        Operation = operation;
        Inputs = inputs;
        OutputShapes = outputShapes;
        Backward = backward;
    }

    /// <summary>A short name of the operation, for messages and debugging.</summary>
    public string Operation { get; }

    /// <summary>The tensors the operation read.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>The shapes of the outputs (for zero-filling a missing output gradient).</summary>
    public int[][] OutputShapes { get; }

    /// <summary>The chain rule of the operation.</summary>
    public BackwardRule Backward { get; }

    /// <summary>True when an operation on <paramref name="inputs"/> should be recorded.</summary>
    public static bool ShouldRecord(ReadOnlySpan<Tensor> inputs)
    {
        if (!NoGradScope.IsGradEnabled) return false;
        foreach (var t in inputs)
            if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Records a single-output operation (if any input requires a gradient) and returns its result.</summary>
    public static Tensor Record(string operation, Tensor result, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!ShouldRecord(inputs)) return result;
        var node = new GradNode(operation, inputs, [result.ShapeArray], grads => backward(grads[0]!));
        result.GradFn = node;
        result.OutputIndex = 0;
        return result;
    }

    /// <summary>Records a multi-output operation (if any input requires a gradient).</summary>
    public static void Record(string operation, Tensor[] results, Tensor[] inputs, BackwardRule backward)
    {
        if (!ShouldRecord(inputs)) return;
        var shapes = new int[results.Length][];
        for (int i = 0; i < results.Length; i++) shapes[i] = results[i].ShapeArray;
        var node = new GradNode(operation, inputs, shapes, backward);
        for (int i = 0; i < results.Length; i++)
        {
            results[i].GradFn = node;
            results[i].OutputIndex = i;
        }
    }
}
