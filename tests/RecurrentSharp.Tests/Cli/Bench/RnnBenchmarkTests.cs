using RecurrentSharp.Cli.Bench;

namespace RecurrentSharp.Tests.Cli.Bench;

public class RnnBenchmarkTests
{
    [Fact]
    public void FlopsOfABidirectionalVariableLengthRowAreCountedByHand()
    {
        // GRU (G = 3), B = 3, T = 4, I = 2, H = 5, 2 layers, bidirectional, lengths from 2: len = 2 + ⌊2b/2⌋ = 2, 3, 4.
        var config = new RnnConfig("tiny", "gru", 3, 4, 2, 5, 2, Bidirectional: true, MinLength: 2);
        Assert.Equal([2, 3, 4], config.Lengths()!);
        Assert.Equal(9, config.RealSteps());
        // layer 0: 2·3·(2 + 5)·5 per step and direction = 210; layer 1 reads 2H = 10: 2·3·(10 + 5)·5 = 450.
        // (210 + 450) · 9 steps · 2 directions = 11880; training 3× = 35640.
        Assert.Equal(11880, RnnBenchmark.Flops(config, "infer"));
        Assert.Equal(35640, RnnBenchmark.Flops(config, "train"));

        // 11880 FLOPs in 0.5 ms = 0.02376 GFLOP/s, half of a 0.04752 GFLOP/s peak.
        var row = RnnBenchmark.Row(config, "infer", 2, 0.5, 0.04752);
        Assert.Equal(0.02376, row.Gflops, 12);
        Assert.Equal(50.0, row.PercentOfPeak, 9);
    }

    [Fact]
    public void FlopsOfTheFullLengthConfigurationsMatchTheFormula()
    {
        // medium-lstm: 2·4·(128 + 256)·256·(64·100) = 5 033 164 800.
        var medium = RnnBenchmark.Configs.Single(c => c.Name == "medium-lstm");
        Assert.Null(medium.Lengths());
        Assert.Equal(5_033_164_800, RnnBenchmark.Flops(medium, "infer"));
        // deep-rnn: Elman, 2 layers of 512 over 512 inputs: 2 · 2·1·(512 + 512)·512·(32·50) = 3 355 443 200.
        Assert.Equal(3_355_443_200, RnnBenchmark.Flops(RnnBenchmark.Configs.Single(c => c.Name == "deep-rnn"), "infer"));
    }

    [Fact]
    public void TheTextEncoderConfigurationSpreadsLengthsFromTenToSixty()
    {
        var config = RnnBenchmark.Configs.Single(c => c.Name == "bilstm-varlen");
        var lengths = config.Lengths()!;
        Assert.Equal(10, lengths.Min());
        Assert.Equal(60, lengths.Max());
        // Σ_{b=0}^{62} ⌊50b/63⌋ = (50-1)(63-1)/2 = 1519 (50 and 63 coprime), plus ⌊50·63/63⌋ = 50 for b = 63,
        // plus 10 for each of the 64 sequences: 2209.
        Assert.Equal(2209, config.RealSteps());
        // 2·4·128 · (2209 steps · 2 directions) · ((50 + 128) + (256 + 128)) = 8·128·4418·562 = 2 542 505 984.
        Assert.Equal(2_542_505_984, RnnBenchmark.Flops(config, "infer"));
    }

    [Fact]
    public void UnknownCellOrModeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => RnnBenchmark.Flops(new RnnConfig("x", "lstm", 1, 1, 1, 1, 1), "fast"));
        Assert.Throws<ArgumentException>(() => RnnBenchmark.Flops(new RnnConfig("x", "cnn", 1, 1, 1, 1, 1), "infer"));
    }

}

/// <summary>Heap measurements see every thread's allocations: these tests run alone (the "Console" collection).</summary>
[Collection("Console")]
public class TrainingHeapTests
{
    [Fact]
    public void TheTrainingHeapMeasureSeesWhatForwardKeeps()
    {
        // forward keeps 8 MB alive until backward; backward allocates 4 MB more (garbage).
        var (peak, kept) = RnnBenchmark.MeasureTrainingHeap(() => new byte[8_000_000], kept =>
        {
            var scratch = new byte[4_000_000];
            GC.KeepAlive(scratch);
            GC.KeepAlive(kept);
        });
        Assert.InRange(kept, 7_900_000, 8_300_000);
        Assert.InRange(peak, 11_900_000, 12_500_000);
    }
}

public class PeakBenchmarkTests
{
    [Fact]
    public void TheLoopRunsEveryCountedFma()
    {
        // With m = 1, a = 1 every FMA adds exactly 1: acc_j = 0.1 (j + 1) + n on every lane, so one FMA missing
        // from any chain changes the sum by 1.
        const int n = 1000;
        double expected = 0;
        for (int j = 0; j < PeakBenchmark.Accumulators; j++) expected += 0.1 * (j + 1) + n;
        expected *= PeakBenchmark.VectorBits / 32;
        Assert.Equal(expected, PeakBenchmark.Loop(n, 1f, 1f), 0.05);
        Assert.Equal(2.0 * n * PeakBenchmark.Accumulators * (PeakBenchmark.VectorBits / 32), PeakBenchmark.FlopsPerRun(n));
    }

    [Fact]
    public void PercentOfPeakUsesThePeakOfTheSameThreadCount()
    {
        var peaks = new List<PeakResult> { new(1, 512, 100), new(2, 512, 190) };
        Assert.Equal(190, PeakBenchmark.PeakFor(peaks, 2));
        Assert.Equal(100, PeakBenchmark.PeakFor(peaks, 1));
        Assert.Equal(190, PeakBenchmark.PeakFor(peaks, 4)); // more threads than measured: the largest measured
        Assert.Equal(50.0, PeakBenchmark.PercentOfPeak(95, 190), 12);
    }
}
