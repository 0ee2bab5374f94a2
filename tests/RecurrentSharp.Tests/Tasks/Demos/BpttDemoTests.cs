using RecurrentSharp.Tasks.Demos;

namespace RecurrentSharp.Tests.Tasks.Demos;

/// <summary>
/// The bptt demo: the printed chain-rule terms add up to autograd's ∂E_3/∂W, and each term is what a central
/// difference in double gives when only step k's copy of W moves (the definition of the k-th term).
/// </summary>
public class BpttDemoTests
{
    /// <summary>E_3 in double with a separate recurrent weight for each step.</summary>
    private static double Error(double[] w)
    {
        double h = BpttDemo.H0;
        for (int t = 0; t < BpttDemo.Inputs.Length; t++) h = Math.Tanh(BpttDemo.U * (double)BpttDemo.Inputs[t] + w[t] * h);
        double y = BpttDemo.V * h;
        return 0.5 * (y - BpttDemo.Target) * (y - BpttDemo.Target);
    }

    [Fact]
    public void The_sum_of_the_terms_is_autograds_gradient()
    {
        var result = BpttDemo.Run();
        Assert.Equal(3, result.Terms.Count);
        Assert.Equal(result.Terms.Sum(t => (double)t.Term), result.SumOfTerms, 1e-6);
        Assert.True(Math.Abs(result.SumOfTerms - result.AutogradGradient) <= 1e-6 * Math.Abs(result.AutogradGradient),
            $"Σ terms {result.SumOfTerms} vs autograd {result.AutogradGradient}");
        Assert.All(result.Terms, t => Assert.Equal(t.DErrorDHAutograd, t.DErrorDH, 1e-6));
    }

    [Fact]
    public void Each_term_is_the_derivative_through_that_steps_copy_of_W()
    {
        var result = BpttDemo.Run();
        const double eps = 1e-6;
        double total = 0;
        for (int k = 0; k < 3; k++)
        {
            double[] plus = [BpttDemo.W, BpttDemo.W, BpttDemo.W], minus = [BpttDemo.W, BpttDemo.W, BpttDemo.W];
            plus[k] += eps;
            minus[k] -= eps;
            double term = (Error(plus) - Error(minus)) / (2 * eps);
            total += term;
            Assert.True(Math.Abs(term - result.Terms[k].Term) <= 1e-5, $"term {k + 1}: demo {result.Terms[k].Term}, central difference {term}");
            Assert.True(Math.Abs(result.Terms[k].Term) > 1e-3, "every term contributes (h_0 is not 0)");
        }
        Assert.Equal(total, result.AutogradGradient, 1e-5);
        double[] w = [BpttDemo.W, BpttDemo.W, BpttDemo.W];
        Assert.Equal(Error(w), result.Error, 1e-6);
    }

    [Fact]
    public void The_forward_values_are_the_tanh_recurrence()
    {
        var result = BpttDemo.Run();
        double h = BpttDemo.H0;
        foreach (var term in result.Terms)
        {
            Assert.Equal(h, term.HPrevious, 1e-6);
            h = Math.Tanh(BpttDemo.U * (double)term.X + BpttDemo.W * h);
            Assert.Equal(h, term.H, 1e-6);
            Assert.Equal((1 - h * h) * term.HPrevious, term.Immediate, 1e-6);
        }
        Assert.Equal(BpttDemo.V * h, result.Y3, 1e-6);
    }
}
