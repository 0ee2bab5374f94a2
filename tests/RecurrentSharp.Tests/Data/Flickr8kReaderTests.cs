using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class Flickr8kReaderTests
{
    [Fact]
    public void The_token_file_reads_40460_captions_of_8092_names()
    {
        var result = Flickr8kReader.ReadCaptions(SharedFolder.Path("flickr8k", "Flickr8k.token.txt"));
        Assert.Empty(result.Skipped);
        Assert.Equal(40460, result.Records.Count);
        Assert.Equal(8092, result.Records.Select(c => c.Image).Distinct().Count());   // 8,091 images and one name with no image
        Assert.Contains(result.Records, c => c.Image == "2258277193_586949ec62.jpg.1");
        var first = result.Records[0];
        Assert.Equal(("1000268201_693b08cb0e.jpg", 0, 1), (first.Image, first.Number, first.Line));
        Assert.StartsWith("A child in a pink dress", first.Text);
        Assert.Equal(6000, Flickr8kReader.ReadImageList(SharedFolder.Path("flickr8k", "Flickr_8k.trainImages.txt")).Records.Count);
    }

    [Fact]
    public void Malformed_lines_are_skipped_and_counted_or_fatal_when_strict()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("tokens.txt", "a.jpg#0\tA dog .\nno tab here\nb.jpg\tno number\nc.jpg#1\t \nd.jpg#2\tA cat .\n");
        var result = Flickr8kReader.ReadCaptions(path);
        Assert.Equal(new[] { "a.jpg", "d.jpg" }, result.Records.Select(c => c.Image));
        Assert.Equal(new[] { 2, 3, 4 }, result.Skipped.Select(s => s.LineNumber));
        var error = Assert.Throws<DataFormatException>(() => Flickr8kReader.ReadCaptions(path, strict: true));
        Assert.Equal(2, error.LineNumber);
    }
}
