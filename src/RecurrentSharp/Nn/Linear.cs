using RecurrentSharp.Tensors;

namespace RecurrentSharp.Nn;

/// <summary>
/// A fully connected layer y = x Wᵀ + b, applied to the last axis of x. W has shape
/// (outFeatures, inFeatures) as in PyTorch; both W and b start as U(-1/√in, 1/√in).
/// </summary>
public sealed class Linear : Module, ILayer
{
    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, RandomGenerator? random = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear({inFeatures}, {outFeatures}): sizes must be positive.");
        random ??= RandomGenerator.Default;
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        float bound = 1f / MathF.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Tensor.RandomUniform(random, -bound, bound, outFeatures, inFeatures));
        if (bias) Bias = RegisterParameter("bias", Tensor.RandomUniform(random, -bound, bound, outFeatures));
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight matrix (out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Maps (..., in) to (..., out).</summary>
    public Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new TensorShapeException("Linear", $"input {TensorShape.Format(input.Shape)} does not end in {InFeatures} features");
        var y = input.Rank == 1
            ? Tensor.MatMul(input.Unsqueeze(0), Weight, transposeB: true).Squeeze(0)
            : Tensor.MatMul(input, Weight, transposeB: true);
        return Bias is null ? y : y + Bias;
    }
}
