using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>
/// Each optimizer against an independent float64 implementation of its published update rule (the
/// algorithm boxes of the PyTorch 1.13 documentation, with the code's variants noted in README section
/// 9.5), over ten steps on a fixed non-quadratic problem; plus state export, resume and validation.
/// </summary>
public class OptimizerTests
{
    /// <summary>One step of a reference rule on float64 values; <paramref name="state"/> holds its buffers by name.</summary>
    private delegate void ReferenceRule(double[] p, double[] g, int t, Dictionary<string, double[]> state);

    private static readonly int[][] Shapes = [[3, 2], [4]];

    /// <summary>The fixed problem: g(x) = s ⊙ (x − target) + 0.5·sin(3x), different per element.</summary>
    private static double Gradient(double x, int i) => (0.5 + 0.25 * i) * (x - (i % 3 - 1.0)) + 0.5 * Math.Sin(3 * x);

    private static double[] Start(int parameter, int length) =>
        Enumerable.Range(0, length).Select(i => Math.Round(Math.Cos(1.7 * i + parameter) * 1.5, 3)).ToArray();

    private static double[] Buffer(Dictionary<string, double[]> state, string key, int n, double initial = 0) =>
        state.TryGetValue(key, out var b) ? b : state[key] = Enumerable.Repeat(initial, n).ToArray();

    // ---- the published rules, element-wise in float64

    private static ReferenceRule SgdRule(double lr, double mu = 0, double tau = 0, double wd = 0, bool nesterov = false, bool maximize = false) =>
        (p, g, t, s) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double d = maximize ? -g[i] : g[i];
                d += wd * p[i];
                if (mu != 0)
                {
                    var b = Buffer(s, "momentum_buffer", p.Length);
                    b[i] = t == 1 ? d : mu * b[i] + (1 - tau) * d;
                    d = nesterov ? d + mu * b[i] : b[i];
                }
                p[i] -= lr * d;
            }
        };

    private static ReferenceRule AdamRule(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0,
        bool amsgrad = false, bool decoupled = false) =>
        (p, g, t, s) =>
        {
            var m = Buffer(s, "exp_avg", p.Length);
            var v = Buffer(s, "exp_avg_sq", p.Length);
            var vMax = Buffer(s, "max_exp_avg_sq", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else gi += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                vMax[i] = Math.Max(vMax[i], v[i]);
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            if (!amsgrad) s.Remove("max_exp_avg_sq");
        };

    private static ReferenceRule RmsPropRule(double lr, double alpha = 0.99, double eps = 1e-8, double wd = 0, double mu = 0, bool centered = false) =>
        (p, g, t, s) =>
        {
            var v = Buffer(s, "square_avg", p.Length);
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + wd * p[i];
                v[i] = alpha * v[i] + (1 - alpha) * gi * gi;
                double vTilde = v[i];
                if (centered)
                {
                    var mean = Buffer(s, "grad_avg", p.Length);
                    mean[i] = alpha * mean[i] + (1 - alpha) * gi;
                    vTilde -= mean[i] * mean[i];
                }
                double d = Math.Sqrt(vTilde) + eps;
                if (mu > 0)
                {
                    var b = Buffer(s, "momentum_buffer", p.Length);
                    b[i] = mu * b[i] + gi / d;
                    p[i] -= lr * b[i];
                }
                else
                {
                    p[i] -= lr * gi / d;
                }
            }
        };

    private static ReferenceRule AdagradRule(double lr, double lrDecay = 0, double wd = 0, double initial = 0, double eps = 1e-10) =>
        (p, g, t, s) =>
        {
            var sum = Buffer(s, "sum", p.Length, initial);
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + wd * p[i];
                sum[i] += gi * gi;
                p[i] -= clr * gi / (Math.Sqrt(sum[i]) + eps);
            }
        };

    private static readonly Dictionary<string, (Func<Tensor[], Optimizer> Create, ReferenceRule Rule)> Cases = new()
    {
        ["sgd"] = (p => new Sgd(p, lr: 0.1), SgdRule(0.1)),
        ["sgd_momentum"] = (p => new Sgd(p, lr: 0.05, momentum: 0.9), SgdRule(0.05, mu: 0.9)),
        ["sgd_dampening_wd"] = (p => new Sgd(p, lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01), SgdRule(0.05, 0.9, 0.3, 0.01)),
        ["sgd_nesterov"] = (p => new Sgd(p, lr: 0.02, momentum: 0.8, weightDecay: 0.02, nesterov: true), SgdRule(0.02, 0.8, 0, 0.02, nesterov: true)),
        ["sgd_maximize"] = (p => new Sgd(p, lr: 0.01, momentum: 0.5, maximize: true), SgdRule(0.01, 0.5, maximize: true)),
        ["adam"] = (p => new Adam(p, lr: 0.05), AdamRule(0.05)),
        ["adam_betas_wd_amsgrad"] = (p => new Adam(p, lr: 0.02, betas: (0.8, 0.9), eps: 1e-6, weightDecay: 0.05, amsgrad: true),
            AdamRule(0.02, 0.8, 0.9, 1e-6, 0.05, amsgrad: true)),
        ["adamw"] = (p => new AdamW(p, lr: 0.03, weightDecay: 0.1), AdamRule(0.03, wd: 0.1, decoupled: true)),
        ["adamw_amsgrad"] = (p => new AdamW(p, lr: 0.03, betas: (0.9, 0.8), weightDecay: 0.1, amsgrad: true),
            AdamRule(0.03, 0.9, 0.8, wd: 0.1, amsgrad: true, decoupled: true)),
        ["rmsprop"] = (p => new RmsProp(p, lr: 0.01), RmsPropRule(0.01)),
        ["rmsprop_centered_momentum_wd"] = (p => new RmsProp(p, lr: 0.005, alpha: 0.9, weightDecay: 0.01, momentum: 0.7, centered: true),
            RmsPropRule(0.005, 0.9, wd: 0.01, mu: 0.7, centered: true)),
        ["adagrad"] = (p => new Adagrad(p, lr: 0.1), AdagradRule(0.1)),
        ["adagrad_decay_init_wd"] = (p => new Adagrad(p, lr: 0.1, lrDecay: 0.05, weightDecay: 0.01, initialAccumulatorValue: 0.2),
            AdagradRule(0.1, 0.05, 0.01, 0.2)),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_the_published_update_rule_over_ten_steps(string name)
    {
        var (create, rule) = Cases[name];
        var expected = Shapes.Select((s, k) => Start(k, (int)TensorShape.ElementCount(s))).ToArray();
        var parameters = Shapes.Select((s, k) => Tensor.FromArray(expected[k].Select(v => (float)v).ToArray(), s).WithGrad()).ToArray();
        var optimizer = create(parameters);
        var referenceState = Shapes.Select(_ => new Dictionary<string, double[]>()).ToArray();
        for (int t = 1; t <= 10; t++)
        {
            for (int k = 0; k < parameters.Length; k++)
            {
                // Both sides take the gradient at their own current point.
                var p = parameters[k].ToArray();
                parameters[k].Grad = Tensor.FromArray(Enumerable.Range(0, p.Length).Select(i => (float)Gradient(p[i], i)).ToArray(), Shapes[k]);
                var g = expected[k].Select(Gradient).ToArray();
                rule(expected[k], g, t, referenceState[k]);
            }
            optimizer.Step();
            for (int k = 0; k < parameters.Length; k++)
                TensorAssert.Close(expected[k].Select(v => (float)v).ToArray(), parameters[k].Data, 1e-6, $"{name} step {t} parameter {k}");
        }
        var state = optimizer.GetState();
        for (int k = 0; k < parameters.Length; k++)
        {
            Assert.Equal(referenceState[k].Keys.Order(), optimizer.StateKeys.Order());
            foreach (var (key, buffer) in referenceState[k])
                TensorAssert.Close(buffer.Select(v => (float)v).ToArray(), state.Buffers[OptimizerState.BufferName(k, key)].Data, 1e-6, $"{name} {key} {k}");
        }
    }

    private static Tensor[] Parameters(int seed) =>
        [Tensor.RandomNormal(new RandomGenerator(seed), 0f, 1f, 3, 2).WithGrad(), Tensor.RandomNormal(new RandomGenerator(seed + 1), 0f, 1f, 4).WithGrad()];

    private static void SetGradients(Tensor[] parameters, int step)
    {
        var random = new RandomGenerator(1000 + step);
        foreach (var p in parameters) p.Grad = Tensor.RandomNormal(random, 0f, 1f, p.GetShape());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Resuming_from_a_checkpoint_continues_bit_for_bit(string name)
    {
        var create = Cases[name].Create;
        var straight = Parameters(5);
        var a = create(straight);
        for (int t = 1; t <= 7; t++) { SetGradients(straight, t); a.Step(); }

        var first = Parameters(5);
        var b = create(first);
        for (int t = 1; t <= 4; t++) { SetGradients(first, t); b.Step(); }
        var writer = new SafetensorsWriter();
        for (int k = 0; k < first.Length; k++) writer.Add($"model.{k}", first[k]);
        b.GetState().WriteTo(writer);
        var file = SafetensorsReader.Read(writer.ToArray(), "checkpoint");

        var resumed = Enumerable.Range(0, 2).Select(k => file[$"model.{k}"].ToTensor().WithGrad()).ToArray();
        var c = create(resumed);
        c.SetState(OptimizerState.ReadFrom(file));
        for (int t = 5; t <= 7; t++) { SetGradients(resumed, t); c.Step(); }
        for (int k = 0; k < straight.Length; k++) Assert.Equal(straight[k].ToArray(), resumed[k].ToArray());
        Assert.Equal(7, c.StepCount(0));
    }

    [Fact]
    public void Parameters_without_gradients_are_skipped_and_keep_no_state()
    {
        var p = Parameters(1);
        var before = p[1].ToArray();
        var adam = new Adam(p, lr: 0.1);
        p[0].Grad = Tensor.Ones(3, 2);
        adam.Step();
        Assert.Equal(before, p[1].ToArray());
        Assert.Equal(1, adam.StepCount(0));
        Assert.Equal(0, adam.StepCount(1));
        Assert.Equal(new[] { "0.exp_avg", "0.exp_avg_sq" }, adam.GetState().Buffers.Keys.Order());
        adam.ZeroGrad();
        Assert.Null(p[0].Grad);
    }

    [Fact]
    public void Learning_rate_is_settable_and_used_by_the_next_step()
    {
        var p = new[] { Tensor.Zeros(2).WithGrad() };
        var sgd = new Sgd(p, lr: 0.1);
        p[0].Grad = Tensor.Ones(2);
        sgd.Step();
        sgd.LearningRate = 0.5;
        sgd.Step();
        Assert.Equal(new[] { -0.6f, -0.6f }, p[0].ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.NaN);
    }

    [Fact]
    public void Constructors_reject_what_pytorch_rejects()
    {
        var p = Parameters(2);
        Assert.Throws<ArgumentException>(() => new Sgd(p, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new Sgd(p, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(p, lr: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, betas: (1.0, 0.999)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, eps: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(p, alpha: -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(p, lrDecay: -1));
        // Float literals are accepted too (widened to double, so 1e-3f is 0.0010000000474974513, not 0.001).
        var fromFloats = new Adam(p, lr: 1e-3f, betas: (0.9f, 0.999f), eps: 1e-8f, weightDecay: 0f, amsgrad: false);
        Assert.Equal((double)1e-3f, fromFloats.LearningRate);
        Assert.Throws<ArgumentException>(() => new Adam([]));
        Assert.Throws<ArgumentException>(() => new Adam([p[0], p[0]]));
    }

    [Fact]
    public void Restoring_a_state_that_does_not_fit_is_refused_and_changes_nothing()
    {
        var p = Parameters(3);
        var adam = new Adam(p, lr: 0.1);
        SetGradients(p, 1);
        adam.Step();
        var good = adam.GetState();

        Assert.Contains("for Adam, not AdamW", Assert.Throws<ModelFormatException>(() => new AdamW(Parameters(3)).SetState(good)).Message);
        Assert.Contains("covers 2 parameters", Assert.Throws<ModelFormatException>(() => new Adam([Tensor.Zeros(1)]).SetState(good)).Message);

        var wrongShape = new Dictionary<string, Tensor>(good.Buffers) { ["1.exp_avg"] = Tensor.Zeros(5) };
        var fresh = new Adam(Parameters(3), lr: 0.2);
        var ex = Assert.Throws<ModelFormatException>(() => fresh.SetState(new OptimizerState("Adam", 0.1, [1, 1], wrongShape)));
        Assert.Contains("buffer '1.exp_avg' has shape (5), parameter 1 has (4)", ex.Message);
        var unknownKey = new Dictionary<string, Tensor>(good.Buffers) { ["0.momentum_buffer"] = Tensor.Zeros(3, 2) };
        ex = Assert.Throws<ModelFormatException>(() => fresh.SetState(new OptimizerState("Adam", 0.1, [1, 1], unknownKey)));
        Assert.Contains("keeps no 'momentum_buffer'", ex.Message);
        Assert.Equal(0.2, fresh.LearningRate);
        Assert.Equal(0, fresh.StepCount(0));

        // A checkpoint whose optimizer tensors are malformed names the tensor.
        var writer = new SafetensorsWriter();
        good.WriteTo(writer);
        writer.Add("optimizer.state.7.exp_avg", new float[1], 1);
        ex = Assert.Throws<ModelFormatException>(() => OptimizerState.ReadFrom(SafetensorsReader.Read(writer.ToArray(), "ck")));
        Assert.Contains("ck: tensor 'optimizer.state.7.exp_avg'", ex.Message);
    }
}
