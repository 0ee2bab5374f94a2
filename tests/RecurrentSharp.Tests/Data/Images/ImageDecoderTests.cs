using System.IO.Compression;
using System.Buffers.Binary;
using RecurrentSharp.Data.Images;

namespace RecurrentSharp.Tests.Data.Images;

public class ImageDecoderTests
{
    private static string FlickrImage => SharedFolder.Path("flickr8k", "Images", "1000268201_693b08cb0e.jpg");

    [Fact]
    public void A_flickr8k_jpeg_decodes_to_224_by_224_rgb()
    {
        var image = ImageDecoder.Decode(FlickrImage);
        Assert.Equal((224, 224), (image.Width, image.Height));
        Assert.Equal(224 * 224 * 3, image.Pixels.Length);
        Assert.True(image.Pixels.Distinct().Count() > 100, "a photograph has many distinct values");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.98)]
    public void A_truncated_jpeg_is_refused_naming_the_file(double keep)
    {
        using var temp = new TemporaryFolder();
        byte[] bytes = File.ReadAllBytes(FlickrImage);
        string path = temp.Write("cut.jpg", bytes[..(int)(bytes.Length * keep)]);
        var error = Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Garbage_and_a_corrupt_jpeg_body_are_refused_naming_the_file()
    {
        using var temp = new TemporaryFolder();
        var random = new Random(3);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        string noise = temp.Write("noise.jpg", garbage);
        Assert.Contains(noise, Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(noise)).Message);
        // A JPEG signature, then noise, then an end marker (stb_image loops forever on this one): the marker walk refuses it.
        string fake = temp.Write("fake.jpg", [0xFF, 0xD8, 0xFF, 0xE0, .. garbage, 0xFF, 0xD9]);
        Assert.Contains(fake, Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(fake)).Message);
        // A real header whose frame claims 0 x 0 pixels.
        byte[] photo = File.ReadAllBytes(FlickrImage);
        int sof = photo.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]);
        Assert.True(sof > 0);
        photo[sof + 5] = photo[sof + 6] = photo[sof + 7] = photo[sof + 8] = 0;
        string empty = temp.Write("empty.jpg", photo);
        Assert.Contains("frame header", Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(empty)).Message);
        Assert.Contains(temp.Root, Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(Path.Combine(temp.Root, "none.png"))).Message);
    }

    [Fact]
    public void A_png_decodes_to_its_pixels_and_a_png_without_iend_is_refused()
    {
        // A 2 x 2 RGB PNG written here by hand: (R, G, B) = (255, 0, 0) (0, 255, 0) / (0, 0, 255) (10, 20, 30).
        byte[] raw = [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30];   // each row after filter byte 0
        var png = Png(2, 2, raw);
        using var temp = new TemporaryFolder();
        var image = ImageDecoder.Decode(temp.Write("small.png", png));
        Assert.Equal((2, 2), (image.Width, image.Height));
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30 }, image.Pixels);
        string cut = temp.Write("cut.png", png[..^12]);
        Assert.Contains(cut, Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(cut)).Message);
    }

    [Fact]
    public void Squashing_weighs_the_pixels_under_each_output_with_the_widened_triangle_and_keeps_an_image_of_the_size()
    {
        // 4 x 2 to 2 x 1 (scale 2, so the triangle is 2 source pixels wide each side). Output column 0 is centred at source
        // x = 1.0: columns 0, 1, 2 at distances 0.5, 0.5, 1.5 weigh 0.75, 0.75, 0.25 (over 1.75); the output row is centred
        // at y = 1.0: rows 0 and 1 weigh 0.75 each. Channel 0 of pixel (x, y) holds ((y * 4 + x) * 3) * 10.
        var image = new RgbImage(4, 2, [.. Enumerable.Range(0, 24).Select(i => (byte)(i * 10))]);
        var small = ImageResampler.Squash(image, 2, 1);
        double Row(int y) => (0.75 * image.At(y, 0, 0) + 0.75 * image.At(y, 1, 0) + 0.25 * image.At(y, 2, 0)) / 1.75;
        Assert.Equal((byte)Math.Round((Row(0) + Row(1)) / 2), small.Pixels[0]);   // 81
        Assert.Same(image, ImageResampler.Squash(image, 4, 2));
    }

    private static byte[] Png(int width, int height, byte[] filteredRows)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth
        header[9] = 2;   // colour type RGB
        Chunk(output, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filteredRows);
            Chunk(output, "IDAT", compressed.ToArray());
        }
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        byte[] body = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        output.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        output.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
