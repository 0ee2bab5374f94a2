namespace RecurrentSharp.Data;

/// <summary>One MNIST split: the images and their digit labels (0-9), in file order.</summary>
/// <param name="Images">The 28x28 images.</param>
/// <param name="Labels">The digit of each image.</param>
public sealed record MnistSplit(IdxImages Images, byte[] Labels)
{
    /// <summary>How many images carry each digit 0..9.</summary>
    public int[] CountPerDigit()
    {
        var counts = new int[10];
        foreach (byte label in Labels) counts[label]++;
        return counts;
    }
}

/// <summary>
/// Reads MNIST from the four IDX files of the original distribution
/// (<c>train-images-idx3-ubyte.gz</c>, <c>train-labels-idx1-ubyte.gz</c>, <c>t10k-…</c>), gzipped or not.
/// </summary>
public static class MnistReader
{
    /// <summary>The original file names of the training split, images then labels (in <see cref="DatasetCatalog"/> under <c>mnist/</c>).</summary>
    public static readonly (string Images, string Labels) TrainFiles = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");

    /// <summary>The original file names of the test split, images then labels.</summary>
    public static readonly (string Images, string Labels) TestFiles = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /// <summary>Reads an image file and its label file and checks that they belong together.</summary>
    public static MnistSplit Read(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        byte[] labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new DataFormatException(labelsPath, null, $"holds {labels.Length} labels but '{imagesPath}' holds {images.Count} images");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 9)
                throw new DataFormatException(labelsPath, null, $"label of item {i} is {labels[i]}, not a digit 0-9");
        return new MnistSplit(images, labels);
    }

    /// <summary>
    /// Reads a split from a folder holding the files under their original names, accepting the
    /// <c>.gz</c> files or their uncompressed forms (also the dotted <c>train-images.idx3-ubyte</c> spelling).
    /// </summary>
    public static MnistSplit ReadFolder(string folder, bool train)
    {
        var (images, labels) = train ? TrainFiles : TestFiles;
        return Read(FindVariant(folder, images), FindVariant(folder, labels));
    }

    private static string FindVariant(string folder, string gzName)
    {
        string plain = gzName[..^3];
        int dash = plain.LastIndexOf("-idx", StringComparison.Ordinal);
        string dotted = plain[..dash] + "." + plain[(dash + 1)..];
        foreach (string name in new[] { gzName, plain, dotted, dotted + ".gz" })
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DatasetMissingException($"MNIST file '{gzName}' (or '{plain}') not found in '{Path.GetFullPath(folder)}'.");
    }
}
