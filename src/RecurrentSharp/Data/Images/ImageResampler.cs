namespace RecurrentSharp.Data.Images;

/// <summary>
/// Resizes an image to a given width and height without keeping the aspect ratio ("squashing"), the way the
/// Flickr8k images of the shared folder were made from the photos: a separable triangle (bilinear) filter whose
/// support widens with the scale when shrinking, so every source pixel counts (Pillow's BILINEAR resize). An image
/// already of the size is returned as it is.
/// </summary>
public static class ImageResampler
{
    /// <summary>The image resized to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static RgbImage Squash(RgbImage image, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (image.Width == width && image.Height == height) return image;
        var horizontal = Weights(image.Width, width);
        var vertical = Weights(image.Height, height);
        // Rows first: (source height) x width x 3 floats, then columns into bytes.
        var across = new float[image.Height * width * 3];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < width; x++)
            {
                var (first, weights) = horizontal[x];
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < weights.Length; k++)
                {
                    int at = (y * image.Width + first + k) * 3;
                    r += weights[k] * image.Pixels[at];
                    g += weights[k] * image.Pixels[at + 1];
                    b += weights[k] * image.Pixels[at + 2];
                }
                int to = (y * width + x) * 3;
                (across[to], across[to + 1], across[to + 2]) = (r, g, b);
            }
        var pixels = new byte[height * width * 3];
        for (int y = 0; y < height; y++)
        {
            var (first, weights) = vertical[y];
            for (int i = 0; i < width * 3; i++)
            {
                float sum = 0;
                for (int k = 0; k < weights.Length; k++) sum += weights[k] * across[(first + k) * width * 3 + i];
                pixels[y * width * 3 + i] = (byte)Math.Clamp(MathF.Round(sum), 0, 255);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>For each output position: the first source index and the normalised triangle weights from there on.</summary>
    private static (int First, float[] Weights)[] Weights(int source, int target)
    {
        double scale = (double)source / target;
        double support = Math.Max(1.0, scale);   // the triangle's half-width in source pixels
        var result = new (int, float[])[target];
        for (int i = 0; i < target; i++)
        {
            double center = (i + 0.5) * scale;
            int first = Math.Max(0, (int)Math.Floor(center - support + 0.5));
            int last = Math.Min(source - 1, (int)Math.Ceiling(center + support - 0.5) - 1);
            if (last < first) last = first;
            var weights = new float[last - first + 1];
            double total = 0;
            for (int j = first; j <= last; j++)
            {
                double w = Math.Max(0, 1 - Math.Abs((j + 0.5 - center) / support));
                weights[j - first] = (float)w;
                total += w;
            }
            if (total <= 0) weights[0] = 1;
            else for (int j = 0; j < weights.Length; j++) weights[j] = (float)(weights[j] / total);
            result[i] = (first, weights);
        }
        return result;
    }
}
