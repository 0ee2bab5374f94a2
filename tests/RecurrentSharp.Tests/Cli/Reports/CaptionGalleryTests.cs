using System.Text.RegularExpressions;
using RecurrentSharp.Cli.Reports;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Tasks;

namespace RecurrentSharp.Tests.Cli.Reports;

/// <summary>The captioning report's gallery: inline thumbnails, captions with references, one attended image per word.</summary>
public class CaptionGalleryTests
{
    private static string FlickrImage => SharedFolder.Path("flickr8k", "Images", "1000268201_693b08cb0e.jpg");

    private static RgbImage Gray(int size, byte value)
    {
        var pixels = new byte[size * size * 3];
        Array.Fill(pixels, value);
        return new RgbImage(size, size, pixels);
    }

    [Fact]
    public void Each_image_is_inline_with_its_caption_and_references_and_an_attention_model_adds_one_image_per_word()
    {
        var result = new TaskResult("captions", "bleu4_beam3", 13.6);
        result.Figures["samples"] = new[] { new Dictionary<string, object> { ["image"] = FlickrImage, ["beam"] = "a dog & a cat" } };
        var weights = Enumerable.Range(0, 4).Select(t => Enumerable.Range(0, 49).Select(p => p == 10 * t ? 0.5f : 0.5f / 48).ToArray()).ToArray();
        result.Insights.Add(new CaptionedImage(FlickrImage, "a dog & a cat", ["a girl <climbs>", "a child"], ["a", "dog", "runs", "<eos>"], weights, 7));
        result.Insights.Add(new CaptionedImage(FlickrImage, "a dog", ["a girl", "a child"], ["a", "dog", "<eos>"], null, 0));
        string html = HtmlReport.Page(result).ToString();

        Assert.Contains("Test images and their captions", html);
        Assert.Contains("<b>a dog &amp; a cat</b>", html);
        Assert.Contains("reference: a girl &lt;climbs&gt;", html);
        // Two thumbnails and four words' images, every one a JPEG that decodes at the size the page gives it.
        var images = Regex.Matches(html, "<img src=\"data:image/jpeg;base64,([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\"");
        Assert.Equal(2 + 4, images.Count);
        foreach (Match image in images)
        {
            var decoded = ImageDecoder.Decode(Convert.FromBase64String(image.Groups[1].Value), "report image");
            Assert.Equal(int.Parse(image.Groups[2].Value), decoded.Width);
            Assert.Equal(int.Parse(image.Groups[3].Value), decoded.Height);
        }
        Assert.Contains("&lt;eos&gt; <span style=\"color:#888\">50%</span>", html);
        // The samples are drawn, not repeated as a table.
        Assert.DoesNotContain("<th>beam</th>", html);
    }

    [Fact]
    public void An_attended_image_keeps_the_attended_cell_bright_fades_the_rest_and_interpolates_between_cell_centres()
    {
        // 63 x 63 pixels over a 7 x 7 grid, 9 pixels a cell: cell (row 2, column 5) has its centre on pixel (x 49, y 22).
        var weights = new float[49];
        weights[2 * 7 + 5] = 1f;
        var attended = CaptionGallery.Attended(Gray(63, 150), weights, 7);
        Assert.Equal(150, attended.At(22, 49, 0));
        Assert.Equal(30, attended.At(62, 0, 1));           // weight 0: 0.2 of the brightness
        Assert.Equal(110, attended.At(22, 52, 2));         // a third of the way to the next centre (x 58): 0.2 + 0.8 · 2/3
        Assert.Throws<ArgumentException>(() => CaptionGallery.Attended(Gray(63, 150), new float[48], 7));
    }

    [Fact]
    public void A_thumbnail_written_as_jpeg_decodes_close_to_the_image()
    {
        var image = ImageResampler.Squash(ImageDecoder.Decode(FlickrImage), 96, 96);
        var back = ImageDecoder.Decode(CaptionGallery.Jpeg(image), "thumbnail");
        Assert.Equal((96, 96), (back.Width, back.Height));
        double meanError = image.Pixels.Zip(back.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.InRange(meanError, 0, 8);
    }
}
