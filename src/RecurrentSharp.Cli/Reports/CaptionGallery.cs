using System.Text;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Tasks;
using StbImageWriteSharp;

namespace RecurrentSharp.Cli.Reports;

/// <summary>
/// The captioning report's gallery: each test image small and inline (a base64 JPEG written by StbImageWriteSharp)
/// with the caption the model wrote and two references; for a model with attention, one smaller copy of the image
/// per word in which the regions the decoder attended to while choosing that word stay bright and the others fade
/// (the grid's weights, upsampled bilinearly over the image and scaled by the word's largest weight).
/// </summary>
internal static class CaptionGallery
{
    private const int Thumbnail = 160, WordImage = 84, Quality = 80;

    /// <summary>The section of a report: every <see cref="CaptionedImage"/> of the result.</summary>
    public static void AppendSection(HtmlPage page, TaskResult result)
    {
        var images = result.Insights.OfType<CaptionedImage>().ToList();
        if (images.Count == 0) return;
        page.Heading("Test images and their captions");
        bool attention = images.Any(i => i.Weights is not null);
        if (attention)
            page.Paragraph("Below each image, where the decoder looked for each word: the image faded except for the regions of its 7 × 7 grid it attended to " +
                "while choosing that word (the weights upsampled over the image, scaled by the word's largest weight, given in percent).");
        foreach (var image in images)
        {
            page.Raw("<figure style=\"display:flex;gap:1em;align-items:flex-start\">");
            RgbImage? pixels = Read(image.ImagePath);
            page.Raw(pixels is null
                ? $"<div style=\"width:{Thumbnail}px;height:{Thumbnail}px;border:1px solid #ccc\">image not readable</div>"
                : Img(ImageResampler.Squash(pixels, Thumbnail, Thumbnail), HtmlPage.Encode(Path.GetFileName(image.ImagePath))));
            page.Raw("<figcaption style=\"flex:1;min-width:0\"><b>").Raw(HtmlPage.Encode(image.Caption)).Raw("</b><br>");
            foreach (var reference in image.References) page.Raw("reference: ").Raw(HtmlPage.Encode(reference)).Raw("<br>");
            page.Raw("<span style=\"color:#888\">").Raw(HtmlPage.Encode(Path.GetFileName(image.ImagePath))).Raw("</span>");
            if (pixels is not null && image.Weights is { } weights) page.Raw(Words(pixels, image, weights));
            page.Raw("</figcaption></figure>");
        }
    }

    private static RgbImage? Read(string path)
    {
        try
        {
            return ImageDecoder.Decode(path);
        }
        catch (Exception e) when (e is RecurrentSharpException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>One small attended image per word, the word and its largest weight below it.</summary>
    private static string Words(RgbImage pixels, CaptionedImage image, IReadOnlyList<float[]> weights)
    {
        var small = ImageResampler.Squash(pixels, WordImage, WordImage);
        var html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:4px;margin-top:0.5em\">");
        for (int t = 0; t < Math.Min(weights.Count, image.Words.Count); t++)
        {
            html.Append("<div style=\"text-align:center;font-size:0.85em\">")
                .Append(Img(Attended(small, weights[t], image.GridSide), HtmlPage.Encode(image.Words[t])))
                .Append("<br>").Append(HtmlPage.Encode(image.Words[t]))
                .Append(" <span style=\"color:#888\">").Append(Math.Round(100 * weights[t].Max()).ToString("0", System.Globalization.CultureInfo.InvariantCulture)).Append("%</span></div>");
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>
    /// The image with each pixel scaled by 0.2 + 0.8 · a/a_max, a the grid's weight at that pixel: the weights w_ij sit at
    /// the centres of the grid's cells ((j + ½)·W/side, (i + ½)·H/side) and are interpolated bilinearly between them
    /// (held constant beyond the outer centres).
    /// </summary>
    internal static RgbImage Attended(RgbImage image, float[] weights, int side)
    {
        if (side <= 0 || weights.Length != side * side)
            throw new ArgumentException($"{weights.Length} attention weights do not make a {side} x {side} grid.", nameof(weights));
        float max = Math.Max(weights.Max(), 1e-12f);
        var pixels = new byte[image.Pixels.Length];
        for (int y = 0; y < image.Height; y++)
        {
            // The grid coordinate of the pixel's centre, between cell centres i0 and i0 + 1.
            float gy = Math.Clamp((y + 0.5f) * side / image.Height - 0.5f, 0, side - 1);
            int i0 = Math.Min((int)gy, Math.Max(0, side - 2));
            float fy = side == 1 ? 0 : gy - i0;
            for (int x = 0; x < image.Width; x++)
            {
                float gx = Math.Clamp((x + 0.5f) * side / image.Width - 0.5f, 0, side - 1);
                int j0 = Math.Min((int)gx, Math.Max(0, side - 2));
                float fx = side == 1 ? 0 : gx - j0;
                int i1 = Math.Min(i0 + 1, side - 1), j1 = Math.Min(j0 + 1, side - 1);
                float a = (1 - fy) * ((1 - fx) * weights[i0 * side + j0] + fx * weights[i0 * side + j1])
                        + fy * ((1 - fx) * weights[i1 * side + j0] + fx * weights[i1 * side + j1]);
                float scale = 0.2f + 0.8f * a / max;
                for (int c = 0; c < 3; c++)
                {
                    int at = (y * image.Width + x) * 3 + c;
                    pixels[at] = (byte)Math.Clamp(MathF.Round(image.Pixels[at] * scale), 0, 255);
                }
            }
        }
        return new RgbImage(image.Width, image.Height, pixels);
    }

    /// <summary>An &lt;img&gt; with the image inline as a base64 JPEG.</summary>
    private static string Img(RgbImage image, string alt) =>
        $"<img src=\"data:image/jpeg;base64,{Convert.ToBase64String(Jpeg(image))}\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{alt}\">";

    /// <summary>The image as JPEG bytes.</summary>
    internal static byte[] Jpeg(RgbImage image)
    {
        using var stream = new MemoryStream();
        new ImageWriter().WriteJpg(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, stream, Quality);
        return stream.ToArray();
    }
}
