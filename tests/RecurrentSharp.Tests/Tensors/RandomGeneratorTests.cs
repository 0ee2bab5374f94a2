using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tensors;

public class RandomGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_stream()
    {
        var a = new RandomGenerator(42);
        var b = new RandomGenerator(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(new RandomGenerator(1).NextUInt64(), new RandomGenerator(2).NextUInt64());
    }

    [Fact]
    public void Saved_state_resumes_the_stream_exactly()
    {
        var a = new RandomGenerator(9);
        a.NextNormal(); // leaves a spare normal in the state
        var state = a.GetState();
        var expected = Enumerable.Range(0, 10).Select(_ => a.NextNormal()).ToArray();
        var b = new RandomGenerator(0);
        b.SetState(state);
        Assert.Equal(expected, Enumerable.Range(0, 10).Select(_ => b.NextNormal()).ToArray());
    }

    [Fact]
    public void Bounded_integers_cover_the_range_evenly()
    {
        var r = new RandomGenerator(3);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++) counts[r.Next(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9500, 10500));
        var p = r.Permutation(50);
        Assert.Equal(Enumerable.Range(0, 50), p.OrderBy(x => x));
    }
}
