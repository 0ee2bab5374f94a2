using RecurrentSharp.Data;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void Stratified_80_20_split_of_sms_keeps_the_spam_share_on_both_sides()
    {
        var labels = SmsSpamReader.Read(SharedFolder.Path("sms-spam", "SMSSpamCollection")).Records.Select(r => r.Label).ToArray();
        var split = DataSplit.Stratified(labels, 0.2, new RandomGenerator(42));
        // round(0.2 × 747) = 149 spam and round(0.2 × 4827) = 965 ham are held out.
        Assert.Equal(149, split.Evaluate.Count(i => labels[i] == 1));
        Assert.Equal(965, split.Evaluate.Count(i => labels[i] == 0));
        Assert.Equal(5574, split.Train.Length + split.Evaluate.Length);
        Assert.Empty(split.Train.Intersect(split.Evaluate));
        Assert.Equal(split.Evaluate, DataSplit.Stratified(labels, 0.2, new RandomGenerator(42)).Evaluate);
        Assert.NotEqual(split.Evaluate, DataSplit.Stratified(labels, 0.2, new RandomGenerator(43)).Evaluate);
    }

    [Fact]
    public void Random_split_holds_out_the_rounded_fraction()
    {
        var ninetyTen = DataSplit.Random(10_662, 0.1, new RandomGenerator(1));
        Assert.Equal(1066, ninetyTen.Evaluate.Length);
        Assert.Equal(Enumerable.Range(0, 10_662), ninetyTen.Train.Concat(ninetyTen.Evaluate).Order());
        var heldOut = DataSplit.Random(21_116, 0.05, new RandomGenerator(1));
        Assert.Equal(1056, heldOut.Evaluate.Length);
        Assert.True(heldOut.Evaluate.SequenceEqual(heldOut.Evaluate.Order()), "indices are ascending");
        var (train, evaluate) = ninetyTen.Apply(Enumerable.Range(0, 10_662).Select(i => $"#{i}").ToArray());
        Assert.Equal($"#{ninetyTen.Evaluate[0]}", evaluate[0]);
        Assert.Equal(ninetyTen.Train.Length, train.Length);
    }

    [Fact]
    public void Group_split_needs_groups_on_both_sides()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.ByGroup([1, 1, 2], 2, new RandomGenerator(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Random(10, 1.5, new RandomGenerator(0)));
    }
}
