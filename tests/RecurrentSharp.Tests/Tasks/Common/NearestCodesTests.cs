using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Tasks.Common;

public class NearestCodesTests
{
    // Codes that share a large common part (100 in the first value), as saturated autoencoder codes do: raw cosines are all
    // about 0.9999 and rank by the common part's size; centred on the candidates' mean they rank by what tells them apart.
    private static readonly float[][] Codes =
    [
        [100f, 1f, 0f],      // 0: the query's direction
        [101f, -1f, 0f],     // 1: the opposite direction, but closer to the query raw (the larger common part)
        [99f, 0f, 1f],       // 2
        [100f, 0f, -1f],     // 3
    ];

    private static Tensor CodesOf(int[] rows) => Tensor.FromRows(rows.Select(r => Codes[r]).ToArray());

    [Fact]
    public void Centred_codes_rank_by_what_sets_them_apart_and_a_code_is_its_own_nearest()
    {
        float[] query = [100.5f, 2f, 0f];
        var raw = NearestCodes.Search([query], 4, [0, 1, 2, 3], CodesOf)[0];
        var centred = NearestCodes.Search([query], 4, [0, 1, 2, 3], CodesOf, centred: true)[0];

        // Centred on the mean (100, 0, 0): the query is (0.5, 2, 0); cosines with (0, 1, 0), (1, -1, 0), (-1, 0, 1), (0, 0, -1)
        // are 2/√4.25, -1.5/√(4.25·2), -0.5/√(4.25·2) and 0.
        Assert.Equal([0, 3, 2, 1], centred.Select(c => c.Index));
        double q = Math.Sqrt(4.25);
        Assert.Equal([2 / q, 0, -0.5 / (q * Math.Sqrt(2)), -1.5 / (q * Math.Sqrt(2))], centred.Select(c => (double)c.Similarity), (a, b) => Math.Abs(a - b) < 1e-5);
        // Raw, all four lie within 0.001 of each other.
        Assert.All(raw, r => Assert.True(r.Similarity > 0.999f));

        var self = NearestCodes.Search([Codes[2]], 1, [0, 1, 2, 3], CodesOf, centred: true)[0].Single();
        Assert.Equal((2, 1f), (self.Index, MathF.Round(self.Similarity, 5)));
    }

    [Fact]
    public void One_candidate_is_not_centred_away_to_nothing()
    {
        var found = NearestCodes.Search([Codes[0]], 3, [0], CodesOf, centred: true)[0];
        Assert.Equal(0, Assert.Single(found).Index);
    }
}
