using RecurrentSharp.Data;
using RecurrentSharp.Kernels;
using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent;
using RecurrentSharp.Tensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Cli.Bench;

/// <summary>One measured seq2seq training step.</summary>
internal sealed record Seq2SeqResult(string Attention, int Batch, int SourceSteps, int TargetSteps, int Threads, double Ms, double TokensPerSecond, double RelativeToNone);

/// <summary>
/// A teacher-forced training step (forward, masked cross-entropy, backward to every parameter) of the
/// translation model's shape — 2-layer LSTM encoder and decoder of 256, embeddings of 128, 3,600 source words,
/// 3,400 target characters, a batch of 64 with 12 source and 16 target steps — with each decoder attention.
/// Tokens per second count target tokens.
/// </summary>
internal static class Seq2SeqBenchmark
{
    private const int Batch = 64, SourceSteps = 12, TargetSteps = 16, SourceVocabulary = 3600, TargetVocabulary = 3400;

    private static readonly (string Name, Seq2SeqAttention Kind, bool Feeding)[] Variants =
    [
        ("none", Seq2SeqAttention.None, false),
        ("bahdanau", Seq2SeqAttention.Bahdanau, false),
        ("luong", Seq2SeqAttention.Luong, false),
        ("luong+feeding", Seq2SeqAttention.Luong, true),
    ];

    public static List<Seq2SeqResult> Run(IReadOnlyList<int> threadCounts, Action<string>? progress = null)
    {
        var results = new List<Seq2SeqResult>();
        int saved = KernelThreads.Count;
        try
        {
            var random = new RandomGenerator(1);
            // Lengths vary inside the batch, as in bucketed training: sources 7..12, targets 11..16.
            var sources = Enumerable.Range(0, Batch).Select(b => Enumerable.Range(0, SourceSteps - b % 6).Select(_ => 4 + random.Next(SourceVocabulary - 4)).ToArray()).ToArray();
            var targets = Enumerable.Range(0, Batch).Select(b => Enumerable.Range(0, TargetSteps - b % 6).Select(_ => 4 + random.Next(TargetVocabulary - 4)).ToArray()).ToArray();
            var source = PaddedSequences.FromSequences(sources);
            var input = PaddedSequences.FromSequences(targets.Select(t => (int[])[2, .. t[..^1]]).ToArray());
            var next = PaddedSequences.FromSequences(targets).Ids;
            var mask = SequenceMask.FromLengths(input.Lengths, input.Steps, SequenceLayout.BatchFirst);
            int tokens = targets.Sum(t => t.Length);
            foreach (int threads in threadCounts)
            {
                KernelThreads.Count = threads;
                double? none = null;
                foreach (var (name, kind, feeding) in Variants)
                {
                    var model = new Seq2Seq(SourceVocabulary, TargetVocabulary, 128, 256, new CellSpec(CellKind.Lstm), 2, dropout: 0.3f,
                        beginId: 2, endId: 3, random: new RandomGenerator(1), attention: kind, inputFeeding: feeding);
                    double ms = BenchmarkTimer.MedianMilliseconds(() =>
                    {
                        model.ZeroGrad();
                        Losses.CrossEntropy(model.Forward(source, input), next, mask: mask).Backward();
                    }, warmup: 2, minRuns: 5, maxRuns: 20, minSeconds: 2, warmupSeconds: 1);
                    none ??= ms;
                    var result = new Seq2SeqResult(name, Batch, SourceSteps, TargetSteps, threads, ms, tokens / (ms / 1000), ms / none.Value);
                    progress?.Invoke($"seq2seq {name,-14} threads {threads}: {ms,8:F1} ms per step, {result.TokensPerSecond,8:F0} target tokens/s, {result.RelativeToNone:F2}x none");
                    results.Add(result);
                }
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
        return results;
    }
}
