using RecurrentSharp.Models;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Models;

public class WordDropoutTests
{
    private static IReadOnlyList<int>[] Inputs(int count, int length) =>
        Enumerable.Range(0, count).Select(i => (IReadOnlyList<int>)Enumerable.Range(1, length).Select(t => 10 + t).ToArray()).ToArray();

    [Fact]
    public void About_the_given_share_of_tokens_after_the_first_is_replaced_and_the_first_never()
    {
        var inputs = Inputs(200, 11);
        var dropped = WordDropout.Apply(inputs, 0.3f, 0, new RandomGenerator(5));

        Assert.All(dropped, d => Assert.Equal(11, d[0]));
        int replaced = dropped.Sum(d => d.Skip(1).Count(id => id == 0));
        // 2,000 droppable tokens at p = 0.3: 600 expected, standard deviation about 20.
        Assert.InRange(replaced, 520, 680);
        // Every kept token is the one it was.
        for (int i = 0; i < inputs.Length; i++)
            for (int t = 0; t < 11; t++)
                Assert.True(dropped[i][t] == 0 || dropped[i][t] == inputs[i][t]);
    }

    [Fact]
    public void The_same_seed_drops_the_same_tokens_and_zero_drops_none()
    {
        var inputs = Inputs(20, 8);
        Assert.Equal(WordDropout.Apply(inputs, 0.5f, 0, new RandomGenerator(9)), WordDropout.Apply(inputs, 0.5f, 0, new RandomGenerator(9)));
        Assert.Equal(inputs, WordDropout.Apply(inputs, 0f, 0, new RandomGenerator(9)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WordDropout.Apply(inputs, 1f, 0, new RandomGenerator(9)));
    }

    [Fact]
    public void The_hierarchical_autoencoder_drops_its_word_decoder_inputs_but_not_its_targets()
    {
        var model = new HierarchicalAutoencoder(12, 6, 5, random: new RandomGenerator(3));
        IReadOnlyList<int[]>[] documents = [[[3, 4, 5, 6], [7, 8]], [[9, 10, 11]]];
        var plain = model.Forward(documents);
        var dropped = model.Forward(documents, 0.5f, new RandomGenerator(4));
        Assert.Equal(plain.WordTargets, dropped.WordTargets);
        Assert.Equal(plain.WordMask.ToArray(), dropped.WordMask.ToArray());
        Assert.NotEqual(plain.WordLogits.ToArray(), dropped.WordLogits.ToArray());
        Assert.Equal(plain.WordLogits.ToArray(), model.Forward(documents, 0f).WordLogits.ToArray());
        Assert.Throws<ArgumentNullException>(() => model.Forward(documents, 0.5f));
    }
}
