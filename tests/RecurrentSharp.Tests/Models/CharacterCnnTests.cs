using RecurrentSharp.Models;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Models;

/// <summary>The character CNN word encoder: its definition written out, padding, and its gradients.</summary>
public class CharacterCnnTests
{
    [Fact]
    public void Each_feature_is_tanh_of_the_best_window_over_the_word_with_zero_outside_it()
    {
        var cnn = new CharacterCnn(characters: 5, embeddingSize: 2, filters: 3, width: 3, new RandomGenerator(1));
        var words = PaddedSequences.FromSequences([[2, 3, 4], [4]]);
        var features = cnn.Forward(words).ToArray();
        var c = cnn.Embedding.Weight.Data;
        var w = cnn.Convolution.Weight.Data;   // (filters, 3·2)
        var bias = cnn.Convolution.Bias!.Data;
        for (int r = 0; r < 2; r++)
        {
            int[] word = words.Sequence(r);
            for (int f = 0; f < 3; f++)
            {
                double best = double.NegativeInfinity;
                for (int p = 0; p < word.Length; p++)
                {
                    double z = bias[f];
                    for (int k = 0; k < 3; k++)
                    {
                        int source = p + k - 1;
                        if (source < 0 || source >= word.Length) continue;   // zero vector past the ends
                        for (int d = 0; d < 2; d++) z += w[f * 6 + k * 2 + d] * c[word[source] * 2 + d];
                    }
                    best = Math.Max(best, z);
                }
                Assert.Equal(Math.Tanh(best), features[r * 3 + f], 5);
            }
        }
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var cnn = new CharacterCnn(characters: 6, embeddingSize: 3, filters: 4, width: 3, new RandomGenerator(2));
        var words = PaddedSequences.FromSequences([[2, 3, 4, 5], [5, 1], [3]]);
        AssertGradientsMatch(() => cnn.Forward(words), cnn.Parameters().ToArray(), step: 1e-3f, tolerance: 5e-3);
    }

    [Fact]
    public void An_even_window_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CharacterCnn(5, 2, 3, width: 2));
    }
}
