using System.Text.Json;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>
/// Every case in the torch-ctc fixture folder (fixtures README section 10), enumerated from the folder:
/// the loss (and the per-element losses of sum/mean cases), the gradient w.r.t. logits through log_softmax
/// and w.r.t. log-probabilities (PyTorch's convention: ours is the exact partial derivative, so the
/// reference minus w_n·exp(y) is compared, 10.4). <c>RNN_TORCH_CTC_FIXTURES</c> may point at another folder.
/// </summary>
public class CtcLossFixtureTests
{
    private const double LossTolerance = 1e-5;  // |mine − ref| ≤ 1e-5 · max(1, |ref|), README 10.6
    private const double GradTolerance = 2e-5;  // max|mine − ref| ≤ 2e-5 · max(1, max|ref|) over non-NaN entries

    private static string Folder =>
        Environment.GetEnvironmentVariable("RNN_TORCH_CTC_FIXTURES") is { Length: > 0 } custom ? custom : SharedFolder.Fixture("torch-ctc");

    public static TheoryData<string> Cases() => FixtureCases.InFolder(Folder);

    private sealed record Case(string Name, Tensor Logits, Tensor LogProbs, CtcTargets Targets, int[] InputLengths, int Blank,
        Reduction Reduction, bool ZeroInfinity, bool[] Feasible, SafetensorsFile File);

    private static Case Load(string fileName)
    {
        var file = SafetensorsReader.Read(Path.Combine(Folder, fileName));
        var meta = file.Metadata;
        var targetsTensor = file["targets"];
        var targetValues = targetsTensor.ElementCount == 0 ? [] : targetsTensor.ToInt32Array();
        var targetLengths = file["target_lengths"].ToInt32Array();
        var targets = meta["targets_form"] == "padded"
            ? CtcTargets.Padded(targetValues, targetsTensor.Shape[1], targetLengths)
            : CtcTargets.Concatenated(targetValues, targetLengths);
        var reduction = meta["reduction"] switch
        {
            "none" => Reduction.None,
            "sum" => Reduction.Sum,
            "mean" => Reduction.Mean,
            var r => throw new InvalidDataException($"{fileName}: unknown reduction {r}"),
        };
        return new Case(fileName, file["logits"].ToTensor(), file["log_probs"].ToTensor(), targets, file["input_lengths"].ToInt32Array(),
            int.Parse(meta["blank"]), reduction, meta["zero_infinity"] == "true", JsonSerializer.Deserialize<bool[]>(meta["feasible"])!, file);
    }

    private static Tensor Loss(Case c, Tensor logProbs) =>
        Losses.CtcLoss(logProbs, c.Targets, c.InputLengths, c.Blank, c.Reduction, c.ZeroInfinity);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_matches_pytorch(string fileName)
    {
        Assert.False(fileName.Length == 0, $"no *.safetensors CTC fixtures in {Folder}");
        var c = Load(fileName);
        AssertLosses(c.File["loss"].ToTensor().ToArray(), Loss(c, c.LogProbs).ToArray(), $"{fileName} loss");
        if (c.Reduction != Reduction.None)
        {
            var none = Losses.CtcLoss(c.LogProbs, c.Targets, c.InputLengths, c.Blank, Reduction.None, c.ZeroInfinity);
            AssertLosses(c.File["loss_none"].ToTensor().ToArray(), none.ToArray(), $"{fileName} loss_none");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_through_log_softmax_matches_pytorch(string fileName)
    {
        Assert.False(fileName.Length == 0, $"no *.safetensors CTC fixtures in {Folder}");
        var c = Load(fileName);
        var logits = c.Logits.WithGrad();
        var loss = Loss(c, logits.LogSoftmax(2));
        loss.Backward(c.Reduction == Reduction.None ? c.File["grad_loss"].ToTensor() : null);
        AssertGradient(c.File["grad_logits"].ToTensor().ToArray(), logits.Grad!.ToArray(), $"{fileName} grad_logits");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_wrt_log_probs_is_pytorchs_minus_its_softmax_term(string fileName)
    {
        Assert.False(fileName.Length == 0, $"no *.safetensors CTC fixtures in {Folder}");
        var c = Load(fileName);
        var logProbs = c.LogProbs.WithGrad();
        var loss = Loss(c, logProbs);
        var gradLoss = c.Reduction == Reduction.None ? c.File["grad_loss"].ToTensor() : null;
        loss.Backward(gradLoss);

        // PyTorch returns −w_n·γ + w_n·exp(y) for t < T_n; ours is −w_n·γ.
        var expected = c.File["grad_log_probs"].ToTensor().ToArray();
        var y = c.LogProbs.ToArray();
        int T = c.LogProbs.Size(0), N = c.LogProbs.Size(1), C = c.LogProbs.Size(2);
        for (int n = 0; n < N; n++)
        {
            bool zeroed = c.ZeroInfinity && !c.Feasible[n];
            double w = zeroed ? 0 : c.Reduction switch
            {
                Reduction.None => gradLoss!.Data[n],
                Reduction.Sum => 1.0,
                _ => 1.0 / (N * Math.Max(1, c.Targets.Lengths[n])),
            };
            for (int t = 0; t < c.InputLengths[n]; t++)
                for (int k = 0; k < C; k++)
                {
                    int i = (t * N + n) * C + k;
                    expected[i] = (float)(expected[i] - w * Math.Exp(y[i]));
                }
        }
        AssertGradient(expected, logProbs.Grad!.ToArray(), $"{fileName} grad_log_probs");
        Assert.Equal(T * N * C, expected.Length);
    }

    private static void AssertLosses(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsPositiveInfinity(expected[i]))
                Assert.True(float.IsPositiveInfinity(actual[i]), $"{what}[{i}]: {actual[i]}, expected inf");
            else
                Assert.True(Math.Abs(actual[i] - expected[i]) <= LossTolerance * Math.Max(1, Math.Abs(expected[i])),
                    $"{what}[{i}]: {actual[i]}, expected {expected[i]}");
        }
    }

    private static void AssertGradient(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double maxRef = 0;
        foreach (float e in expected) if (!float.IsNaN(e)) maxRef = Math.Max(maxRef, Math.Abs(e));
        double bound = GradTolerance * Math.Max(1, maxRef);
        int compared = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i])) continue; // torch's NaN (infeasible, zero_infinity false): not compared, README 10.6
            compared++;
            Assert.True(Math.Abs((double)actual[i] - expected[i]) <= bound, $"{what}[{i}]: {actual[i]}, expected {expected[i]} (bound {bound:G3})");
        }
        Assert.True(compared > 0, $"{what}: no finite reference entries");
    }
}
