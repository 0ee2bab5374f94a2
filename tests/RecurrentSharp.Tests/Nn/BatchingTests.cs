using RecurrentSharp.Data;
using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Nn;

public class BatchingTests
{
    private static readonly int[][] Sequences = [[5, 6, 7], [8], [9, 10], []];

    [Fact]
    public void Padded_ids_in_both_layouts_hold_the_same_values_lengths_and_mask()
    {
        int[] batch = [0, 1, 2];
        var batchFirst = PaddedSequences.Pad(Sequences, batch, SequenceLayout.BatchFirst);
        Assert.Equal([3, 3], batchFirst.Shape);
        Assert.Equal([5, 6, 7, 8, 0, 0, 9, 10, 0], batchFirst.Ids);
        Assert.Equal([3, 1, 2], batchFirst.Lengths);
        Assert.Equal([1f, 1, 1, 1, 0, 0, 1, 1, 0], batchFirst.Mask().ToArray());

        var timeMajor = PaddedSequences.Pad(Sequences, batch, SequenceLayout.TimeMajor);
        Assert.Equal([3, 3], timeMajor.Shape);
        Assert.Equal([5, 8, 9, 6, 0, 10, 7, 0, 0], timeMajor.Ids);
        Assert.Equal([1f, 1, 1, 1, 0, 1, 1, 0, 0], timeMajor.Mask().ToArray());
        for (int b = 0; b < 3; b++)
            for (int t = 0; t < 3; t++) Assert.Equal(batchFirst[b, t], timeMajor[b, t]);
    }

    [Fact]
    public void Targets_pad_with_their_own_value_and_long_sequences_can_be_cut()
    {
        var tags = PaddedSequences.Pad(Sequences, [1, 3, 0], padValue: -1);
        Assert.Equal([8, -1, -1, -1, -1, -1, 5, 6, 7], tags.Ids);
        Assert.Equal([1, 0, 3], tags.Lengths);
        Assert.Equal([0f, 0, 0], tags.Mask().ToArray()[3..6]); // an empty sequence has an all-zero mask row

        var cut = PaddedSequences.Pad(Sequences, [0, 2], maxLength: 2);
        Assert.Equal([5, 6, 9, 10], cut.Ids);
        Assert.Equal([2, 2], cut.Lengths);
    }

    [Fact]
    public void Padded_vectors_are_a_float_tensor_with_zero_padding()
    {
        float[][] sequences = [[1, 2, 3, 4, 5, 6], [7, 8]]; // 3 steps and 1 step of 2 features
        var batchFirst = PaddedVectors.Pad(sequences, 2, [0, 1], SequenceLayout.BatchFirst);
        Assert.Equal([2, 3, 2], batchFirst.Values.GetShape());
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0], batchFirst.Values.ToArray());
        var timeMajor = PaddedVectors.Pad(sequences, 2, [0, 1], SequenceLayout.TimeMajor);
        Assert.Equal([3, 2, 2], timeMajor.Values.GetShape());
        Assert.Equal([1f, 2, 7, 8, 3, 4, 0, 0, 5, 6, 0, 0], timeMajor.Values.ToArray());
        Assert.Equal([1f, 1, 1, 0, 1, 0], timeMajor.Mask().ToArray());
        Assert.Throws<ArgumentException>(() => PaddedVectors.Pad([[1f, 2, 3]], 2, [0]));
    }

    [Fact]
    public void Every_batch_order_visits_each_example_exactly_once()
    {
        var lengths = Enumerable.Range(0, 103).Select(i => i * 37 % 50 + 1).ToArray();
        var random = new RandomGenerator(3);
        foreach (var batches in new[] { BatchOrder.Sequential(103, 10), BatchOrder.Shuffled(103, 10, random), BatchOrder.Bucketed(lengths, 10, 4, random) })
        {
            Assert.Equal(11, batches.Length);
            Assert.Equal(Enumerable.Range(0, 103), batches.SelectMany(b => b).Order());
            Assert.All(batches, b => Assert.InRange(b.Length, 1, 10));
        }
        Assert.Equal([100, 101, 102], BatchOrder.Sequential(103, 10)[^1]);
    }

    [Fact]
    public void Bucketing_sorts_within_chunks_and_pads_less_than_plain_shuffling()
    {
        var lengths = Enumerable.Range(0, 400).Select(i => i * 7919 % 97 + 1).ToArray();
        var bucketed = BatchOrder.Bucketed(lengths, 16, 8, new RandomGenerator(5));
        var shuffled = BatchOrder.Shuffled(400, 16, new RandomGenerator(5));
        int Padding(int[][] batches) => batches.Sum(b => b.Length * b.Max(i => lengths[i]) - b.Sum(i => lengths[i]));
        Assert.True(Padding(bucketed) * 3 < Padding(shuffled), $"bucketed padding {Padding(bucketed)} vs shuffled {Padding(shuffled)}");
        Assert.All(bucketed, b => Assert.Equal(b.OrderByDescending(i => lengths[i]).Select(i => lengths[i]), b.Select(i => lengths[i])));
        // Seeded: the same seed gives the same epoch, another seed another one.
        Assert.Equal(bucketed, BatchOrder.Bucketed(lengths, 16, 8, new RandomGenerator(5)));
        Assert.NotEqual(bucketed, BatchOrder.Bucketed(lengths, 16, 8, new RandomGenerator(6)));
    }

    [Fact]
    public void Truncated_bptt_windows_continue_each_stream_and_target_the_next_token()
    {
        int[] stream = Enumerable.Range(100, 23).ToArray(); // 23 tokens, 3 streams of 7 (2 dropped)
        var windows = new TruncatedBpttBatches(stream, batchSize: 3, windowLength: 4);
        Assert.Equal(7, windows.StepsPerStream);
        Assert.Equal(2, windows.WindowCount); // inputs at steps 0..5: a window of 4 then of 2
        var first = windows.Window(0, SequenceLayout.BatchFirst);
        Assert.Equal([3, 4], first.Shape);
        Assert.Equal([100, 101, 102, 103, 107, 108, 109, 110, 114, 115, 116, 117], first.Inputs);
        Assert.Equal(first.Inputs.Select(i => i + 1), first.Targets);
        var second = windows.Window(1, SequenceLayout.TimeMajor);
        Assert.Equal([2, 3], second.Shape);
        Assert.Equal([104, 111, 118, 105, 112, 119], second.Inputs);
        Assert.Equal([105, 112, 119, 106, 113, 120], second.Targets);
        Assert.Throws<ArgumentException>(() => new TruncatedBpttBatches([1, 2, 3], 2, 4));
    }
}
