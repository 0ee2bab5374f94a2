using System.Buffers.Binary;
using System.IO.Compression;
using RecurrentSharp.Data;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Data;

/// <summary>Decodes the four real MNIST files once for all tests of the class.</summary>
public sealed class MnistFixture
{
    public MnistSplit Train { get; } = MnistReader.ReadFolder(SharedFolder.Path("mnist"), train: true);
    public MnistSplit Test { get; } = MnistReader.ReadFolder(SharedFolder.Path("mnist"), train: false);
}

public class MnistReaderTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void Real_files_hold_60000_and_10000_images_with_the_published_digit_counts()
    {
        Assert.Equal(60_000, mnist.Train.Images.Count);
        Assert.Equal(10_000, mnist.Test.Images.Count);
        Assert.Equal((28, 28), (mnist.Train.Images.Rows, mnist.Train.Images.Columns));
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], mnist.Train.CountPerDigit());
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], mnist.Test.CountPerDigit());
    }

    [Fact]
    public void Pixels_are_bytes_with_background_zero_and_ink_up_to_255()
    {
        var first = mnist.Train.Images.Image(0);
        Assert.Equal(0, first[0]); // the corner is background
        Assert.Equal(255, first.ToArray().Max());
        Assert.Equal(5, mnist.Train.Labels[0]); // the famous first training digit is a 5
    }

    [Fact]
    public void Tensor_rows_are_time_steps_in_both_layouts()
    {
        int[] indices = [7, 3];
        var batchFirst = mnist.Test.Images.ToTensor(indices, SequenceLayout.BatchFirst);
        var timeMajor = mnist.Test.Images.ToTensor(indices, SequenceLayout.TimeMajor);
        Assert.Equal([2, 28, 28], batchFirst.GetShape());
        Assert.Equal([28, 2, 28], timeMajor.GetShape());
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                {
                    float expected = mnist.Test.Images.Image(indices[b])[r * 28 + c] / 255f;
                    Assert.Equal(expected, batchFirst[b, r, c]);
                    Assert.Equal(expected, timeMajor[r, b, c]);
                }
    }

    [Fact]
    public void Uncompressed_files_read_the_same_as_gzipped_ones()
    {
        using var temp = new TemporaryFolder();
        byte[] pixels = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]; // 3 images of 2x2
        string images = temp.Write("images", ImageFile(3, 2, 2, pixels));
        string imagesGz = temp.Write("images.gz", Gzip(ImageFile(3, 2, 2, pixels)));
        string labels = temp.Write("labels", LabelFile([1, 2, 3]));
        var plain = MnistReader.Read(images, labels);
        var zipped = MnistReader.Read(imagesGz, labels);
        Assert.Equal(pixels, plain.Images.Pixels);
        Assert.Equal(pixels, zipped.Images.Pixels);
        Assert.Equal([1, 2, 3], plain.Labels);
    }

    [Fact]
    public void A_label_file_given_as_images_names_the_swap()
    {
        using var temp = new TemporaryFolder();
        string labels = temp.Write("labels", LabelFile([1, 2]));
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(labels));
        Assert.Contains(labels, error.Message);
        Assert.Contains("2049", error.Message);
        Assert.Contains("swapped", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_rejected_with_the_sizes()
    {
        using var temp = new TemporaryFolder();
        byte[] whole = ImageFile(2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
        string path = temp.Write("short", whole[..^3]);
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("24 bytes", error.Message);
        Assert.Contains("21 bytes", error.Message);
        Assert.Contains("truncated", error.Message);

        string header = temp.Write("header", whole[..10]);
        Assert.Contains("shorter than the 16-byte", Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(header)).Message);
    }

    [Fact]
    public void A_broken_gzip_stream_is_a_format_error()
    {
        using var temp = new TemporaryFolder();
        byte[] gz = Gzip(LabelFile(Enumerable.Range(0, 200).Select(i => (byte)(i % 10)).ToArray()));
        string path = temp.Write("labels.gz", gz[..(gz.Length / 2)]);
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_gzip_file_that_inflates_past_its_header_is_refused_without_inflating_it_whole()
    {
        // Three labels promised, then 64 MiB of zeros: about 64 KiB of gzip. Found by reading the reader while
        // fuzzing it (AFL does not write a bomb by mutation): it used to inflate everything into one MemoryStream,
        // whose documented limit (2 GiB) would end in an IOException rather than a named error.
        using var temp = new TemporaryFolder();
        string path = temp.Write("bomb.gz", Gzip([.. LabelFile([1, 2, 3]), .. new byte[64 << 20]]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("decompresses to more (trailing data)", error.Message);
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated to refuse it");
    }

    [Fact]
    public void A_gzip_header_promising_more_than_an_array_holds_is_refused_at_once()
    {
        using var temp = new TemporaryFolder();
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 60000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 60000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 28);
        string path = temp.Write("huge.gz", Gzip(header));
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("more than one array holds", error.Message);
        Assert.Contains(path, error.Message);

        // A swapped file still gets the swap hint, not a promise read from the wrong header (whose "rows" and
        // "columns" here are label bytes 0x7F7F7F7F: a promise far past an array).
        string labels = temp.Write("labels.gz", Gzip(LabelFile([.. Enumerable.Repeat((byte)0x7F, 64)])));
        Assert.Contains("swapped", Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(labels)).Message);
    }

    [Fact]
    public void Images_and_labels_of_different_counts_do_not_pair()
    {
        using var temp = new TemporaryFolder();
        string images = temp.Write("images", ImageFile(2, 1, 1, [0, 1]));
        string labels = temp.Write("labels", LabelFile([1, 2, 3]));
        var error = Assert.Throws<DataFormatException>(() => MnistReader.Read(images, labels));
        Assert.Contains("3 labels", error.Message);
        Assert.Contains("2 images", error.Message);

        string badLabel = temp.Write("bad", LabelFile([1, 12]));
        Assert.Contains("not a digit", Assert.Throws<DataFormatException>(() => MnistReader.Read(images, badLabel)).Message);
    }

    [Fact]
    public void A_missing_file_says_which()
    {
        using var temp = new TemporaryFolder();
        var error = Assert.Throws<DatasetMissingException>(() => MnistReader.ReadFolder(temp.Root, train: true));
        Assert.Contains("train-images-idx3-ubyte.gz", error.Message);
    }

    internal static byte[] ImageFile(int count, int rows, int columns, byte[] pixels)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    internal static byte[] LabelFile(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
