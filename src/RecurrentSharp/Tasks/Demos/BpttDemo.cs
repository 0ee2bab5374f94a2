using System.Globalization;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tasks.Demos;

/// <summary>
/// Backpropagation through time written out for a three-step Elman network with one input, one tanh unit
/// and one linear output (<see cref="Rnn"/> and <see cref="Linear"/>, no bias):
/// <code>
///   h_t = tanh(u x_t + w h_{t-1})      y_t = v h_t      E_3 = ½ (y_3 − d)²
///   ∂E_3/∂w = Σ_{k=1..3} ∂E_3/∂y_3 · ∂y_3/∂h_3 · (Π_{j=k+1..3} ∂h_j/∂h_{j-1}) · ∂⁺h_k/∂w
///   ∂E_3/∂y_3 = y_3 − d    ∂y_3/∂h_3 = v    ∂h_j/∂h_{j-1} = w (1 − h_j²)    ∂⁺h_k/∂w = (1 − h_k²) h_{k-1}
/// </code>
/// where ∂⁺ is the immediate derivative (h_{k-1} held fixed). Each factor is computed with tensor operations from
/// the layer's own forward values; the sum of the terms is set beside the gradient of the library's fused
/// backward pass, and ∂E_3/∂h_k beside the gradient autograd leaves on each step's state.
/// </summary>
public static class BpttDemo
{
    /// <summary>The demo's name.</summary>
    public const string Name = "bptt";

    /// <summary>The input weight u.</summary>
    public const float U = 0.5f;

    /// <summary>The recurrent weight w (the W of ∂E_3/∂W).</summary>
    public const float W = 0.9f;

    /// <summary>The output weight v.</summary>
    public const float V = 1.5f;

    /// <summary>The initial state h_0 (not 0, so that the first term does not vanish).</summary>
    public const float H0 = 0.5f;

    /// <summary>The target d of y_3.</summary>
    public const float Target = 0.2f;

    /// <summary>The inputs x_1, x_2, x_3.</summary>
    public static readonly float[] Inputs = [1f, -0.5f, 0.8f];

    /// <summary>The network: the recurrent layer and the output layer, hand-set.</summary>
    public static (Rnn Rnn, Linear Output) Network()
    {
        var rnn = new Rnn(1, 1, bias: false);
        rnn.LoadStateDict(new Dictionary<string, Tensor> { ["weight_ih_l0"] = Tensor.Full(U, 1, 1), ["weight_hh_l0"] = Tensor.Full(W, 1, 1) });
        var output = new Linear(1, 1, bias: false);
        output.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Full(V, 1, 1) });
        return (rnn, output);
    }

    private static Tensor Input() => Tensor.FromArray(Inputs, Inputs.Length, 1, 1);    // (T, B = 1, I = 1)

    private static Tensor Error(Linear output, Tensor h3) => (output.Forward(h3) - Target).Square().Sum() * 0.5f;

    /// <summary>Runs the network, writes out the chain rule and compares with autograd.</summary>
    public static BpttResult Run()
    {
        int steps = Inputs.Length;
        var h0 = Tensor.Full(H0, 1, 1, 1);

        // Autograd through the fused layer: one node whose backward walks the three steps in reverse.
        var (rnn, output) = Network();
        var forward = rnn.Forward(Input(), h0);
        var error = Error(output, forward.Hidden.Squeeze(0));
        error.Backward();
        float autogradGradient = rnn.StateDict()["weight_hh_l0"].Grad!.Item();

        // Autograd step by step, keeping each h_k's gradient ∂E_3/∂h_k.
        var (stepRnn, stepOutput) = Network();
        var states = new Tensor[steps];
        Tensor h = h0;
        for (int t = 0; t < steps; t++)
            h = states[t] = stepRnn.Forward(Input().Slice(0, t, 1), h).Hidden.RetainGrad();
        Error(stepOutput, h.Squeeze(0)).Backward();

        // The chain rule, factor by factor, from the forward values.
        using var noGrad = new NoGradScope();
        var hs = new Tensor[steps + 1];
        hs[0] = h0.Reshape(1);
        for (int t = 0; t < steps; t++) hs[t + 1] = forward.Output.Select(0, t).Detach().Reshape(1);    // h_1 .. h_3
        var w = rnn.StateDict()["weight_hh_l0"].Detach().Reshape(1);
        var v = output.Weight.Detach().Reshape(1);
        var y3 = v * hs[steps];
        var dEdy = y3 - Target;                                                      // ∂E_3/∂y_3
        var dEdh3 = dEdy * v;                                                        // ∂E_3/∂y_3 · ∂y_3/∂h_3
        var terms = new BpttTerm[steps];
        var jacobian = Tensor.Ones(1);                                               // ∂h_3/∂h_k, built from k = 3 down
        var sum = Tensor.Zeros(1);                                                   // Σ_k term_k
        for (int k = steps; k >= 1; k--)
        {
            var immediate = (1f - hs[k].Square()) * hs[k - 1];                       // ∂⁺h_k/∂w
            var dEdhk = dEdh3 * jacobian;
            var term = dEdhk * immediate;
            sum = sum + term;
            terms[k - 1] = new BpttTerm(k, Inputs[k - 1], hs[k - 1].Item(), hs[k].Item(), immediate.Item(), jacobian.Item(), dEdhk.Item(),
                states[k - 1].Grad!.Item(), term.Item());
            jacobian = jacobian * w * (1f - hs[k].Square());                         // · ∂h_k/∂h_{k-1} = w (1 − h_k²)
        }
        return new BpttResult(y3.Item(), error.Item(), terms, sum.Item(), autogradGradient);
    }
}

/// <summary>
/// The k-th term of ∂E_3/∂w: x_k, h_{k-1}, h_k, the immediate ∂⁺h_k/∂w, the Jacobian product ∂h_3/∂h_k,
/// ∂E_3/∂h_k by the chain rule and by autograd, and the term ∂E_3/∂h_k · ∂⁺h_k/∂w.
/// </summary>
public sealed record BpttTerm(int K, float X, float HPrevious, float H, float Immediate, float Jacobian, float DErrorDH, float DErrorDHAutograd, float Term);

/// <summary>The output y_3, the error E_3, the chain-rule terms, their sum and autograd's ∂E_3/∂w.</summary>
public sealed record BpttResult(float Y3, float Error, IReadOnlyList<BpttTerm> Terms, float SumOfTerms, float AutogradGradient) : DemoResult
{
    /// <inheritdoc/>
    public override string Name => BpttDemo.Name;

    /// <inheritdoc/>
    public override string Title => "Backpropagation through time: ∂E_3/∂W as a sum over time";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Introduction =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"h_t = tanh(u x_t + W h_(t-1)), y_t = v h_t, E_3 = ½ (y_3 - d)²;  u = {BpttDemo.U}, W = {BpttDemo.W}, v = {BpttDemo.V}, h_0 = {BpttDemo.H0}, x = ({string.Join(", ", BpttDemo.Inputs)}), d = {BpttDemo.Target}."),
        "∂E_3/∂W = Σ_k ∂E_3/∂y_3 · ∂y_3/∂h_3 · (Π_(j>k) ∂h_j/∂h_(j-1)) · ∂⁺h_k/∂W,  ∂h_j/∂h_(j-1) = W (1 - h_j²),  ∂⁺h_k/∂W = (1 - h_k²) h_(k-1).",
        string.Create(CultureInfo.InvariantCulture, $"Forward (Rnn(1, 1, bias: false), Linear(1, 1, bias: false)): y_3 = {Y3:G6}, E_3 = {Error:G6}."),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<DemoTable> Tables =>
    [
        new("The terms of ∂E_3/∂W, one per step k", ["k", "x_k", "h_(k-1)", "h_k", "∂⁺h_k/∂W", "∂h_3/∂h_k", "∂E_3/∂h_k", "∂E_3/∂h_k (autograd)", "term_k"],
            Terms.Select(t => (IReadOnlyList<DemoCell>)[t.K, t.X, t.HPrevious, t.H, t.Immediate, t.Jacobian, t.DErrorDH, t.DErrorDHAutograd, t.Term]).ToArray()),
        new("The sum beside autograd", ["Σ_k term_k", "∂E_3/∂W (autograd, fused BPTT)", "difference"],
            [[SumOfTerms, AutogradGradient, SumOfTerms - AutogradGradient]]),
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<string> Conclusions =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"The three terms add up to {SumOfTerms:G7}; the library's backward pass gives {AutogradGradient:G7}."),
        string.Create(CultureInfo.InvariantCulture,
            $"The further back the step, the more factors W (1 - h_j²) its term carries (∂h_3/∂h_1 = {Terms[0].Jacobian:G4}): with |W (1 - h²)| < 1 the early terms shrink, which over many steps is the vanishing gradient."),
    ];
}
