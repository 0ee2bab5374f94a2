using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tests.Training;

public class EditDistanceTests
{
    [Theory]
    [InlineData("seven", "seven", 0)]
    [InlineData("sevn", "seven", 1)]        // a deletion
    [InlineData("sevven", "seven", 1)]      // an insertion
    [InlineData("sivin", "seven", 2)]       // two substitutions
    [InlineData("", "four", 4)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_counts_the_fewest_edits(string hypothesis, string reference, int expected) =>
        Assert.Equal(expected, EditDistance.Between<char>(hypothesis, reference));

    [Fact]
    public void Character_error_rate_sums_edits_over_reference_characters()
    {
        Assert.Equal(2.0 / 9, EditDistance.CharacterErrorRate([("sevn", "seven"), ("fur", "four"), ("", "")]), 12);
        Assert.Equal(0, EditDistance.CharacterErrorRate([]));
    }
}
