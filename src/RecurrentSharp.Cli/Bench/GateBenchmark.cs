using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured gate kernel: one step's element-wise work over a batch of rows.</summary>
internal sealed record GateResult(string Kernel, int Batch, int Hidden, double Microseconds)
{
    /// <summary>Nanoseconds per hidden unit of one row.</summary>
    public double NanosecondsPerUnit => Microseconds * 1000 / ((double)Batch * Hidden);
}

/// <summary>
/// Times the fused gate kernels alone, on one thread, at the batch and hidden sizes of the <c>rnn bench rnn</c>
/// configurations: LSTM forward (<see cref="LstmGateKernel.Forward"/>), LSTM backward (<see cref="LstmGateKernel.Backward"/>)
/// and GRU forward (<see cref="GruGateKernel.Forward"/>), each over B rows, as one step of the fused layer runs them.
/// σ and tanh are branch-free (<see cref="GateActivations"/>), so the time does not depend on the values: the rows, which each
/// step overwrites with its activations, are not restored between steps (a copy would be timed with them).
/// </summary>
internal static class GateBenchmark
{
    /// <summary>(B, H): mnist-rows, medium, deep and wide.</summary>
    public static readonly (int Batch, int Hidden)[] Shapes = [(50, 100), (64, 256), (32, 512), (16, 1024)];

    public static List<GateResult> Run(Action<string> log)
    {
        var results = new List<GateResult>();
        foreach (var (B, H) in Shapes)
        {
            var random = new RandomGenerator(1);
            var row = Tensor.RandomNormal(random, 0f, 2f, B * 4 * H).ToArray();
            var c = Tensor.RandomNormal(random, 0f, 1f, B * H).ToArray();
            var tanhC = new float[B * H];
            var h = new float[B * H];
            void LstmForward()
            {
                for (int b = 0; b < B; b++)
                    LstmGateKernel.Forward(row.AsSpan(b * 4 * H, 4 * H), c.AsSpan(b * H, H), tanhC.AsSpan(b * H, H), h.AsSpan(b * H, H), H, default, coupled: false);
            }
            Add("lstm-forward", LstmForward);

            // Backward reads its own states (not forward's, which repeated steps drive to wherever they settle).
            var activations = Tensor.RandomUniform(random, 0.05f, 0.95f, B * 4 * H).ToArray();
            var previousC = Tensor.RandomNormal(random, 0f, 1f, B * H).ToArray();
            var tanhCt = Tensor.RandomUniform(random, -0.9f, 0.9f, B * H).ToArray();
            var dh = Tensor.RandomNormal(random, 0f, 1f, B * H).ToArray();
            var dc = new float[B * H];
            var gateGrads = new float[B * 4 * H];
            void LstmBackward()
            {
                for (int b = 0; b < B; b++)
                    LstmGateKernel.Backward(activations.AsSpan(b * 4 * H, 4 * H), previousC.AsSpan(b * H, H), tanhCt.AsSpan(b * H, H), dh.AsSpan(b * H, H),
                        dc.AsSpan(b * H, H), gateGrads.AsSpan(b * 4 * H, 4 * H), H, default, default, coupled: false);
            }
            Add("lstm-backward", LstmBackward);

            var gh = Tensor.RandomNormal(random, 0f, 2f, B * 3 * H).ToArray();
            var bias = Tensor.RandomNormal(random, 0f, 0.1f, 3 * H).ToArray();
            var hn = new float[B * H];
            void GruForward()
            {
                for (int b = 0; b < B; b++)
                    GruGateKernel.Forward(row.AsSpan(b * 3 * H, 3 * H), gh.AsSpan(b * 3 * H, 3 * H), bias, hn.AsSpan(b * H, H), h.AsSpan(b * H, H), H);
            }
            Add("gru-forward", GruForward);

            void Add(string kernel, Action step)
            {
                double ms = BenchmarkTimer.MedianMilliseconds(step, minRuns: 200, maxRuns: 2000, minSeconds: 0.3, warmupSeconds: 0.3);
                var result = new GateResult(kernel, B, H, ms * 1000);
                results.Add(result);
                log($"{kernel}: B={B} H={H}: {result.Microseconds:F2} µs per step, {result.NanosecondsPerUnit:F2} ns per unit");
            }
        }
        return results;
    }
}
