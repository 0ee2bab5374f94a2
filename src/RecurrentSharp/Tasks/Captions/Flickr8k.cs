using RecurrentSharp.Data;
using RecurrentSharp.Tasks.Common;

namespace RecurrentSharp.Tasks.Captions;

/// <summary>
/// The Flickr8k captioning data as the task uses it: every image file that has captions, each with its captions
/// as lower-cased word tokens (<see cref="WordTokenizer"/>: punctuation dropped), and the standard train / dev / test
/// lists as image indices. Captions filed under a name with no image (the token file has one such block of five)
/// and list entries with no captions or no image are counted and logged, not used.
/// </summary>
public sealed class Flickr8k
{
    private Flickr8k(string imageFolder, IReadOnlyList<string> images, IReadOnlyList<string[][]> captions, int[] train, int[] dev, int[] test)
    {
        ImageFolder = imageFolder;
        Images = images;
        Captions = captions;
        Train = train;
        Dev = dev;
        Test = test;
    }

    /// <summary>The folder of the image files.</summary>
    public string ImageFolder { get; }

    /// <summary>The image file names (in the token file's order).</summary>
    public IReadOnlyList<string> Images { get; }

    /// <summary>Each image's captions as word tokens.</summary>
    public IReadOnlyList<string[][]> Captions { get; }

    /// <summary>The training images (indices into <see cref="Images"/>).</summary>
    public int[] Train { get; }

    /// <summary>The dev images.</summary>
    public int[] Dev { get; }

    /// <summary>The test images.</summary>
    public int[] Test { get; }

    /// <summary>The path of image <paramref name="index"/>.</summary>
    public string ImagePath(int index) => Path.Combine(ImageFolder, Images[index]);

    /// <summary>Reads the token file and the split lists found under --data / RNN_DATA.</summary>
    public static Flickr8k Read(TaskOptions options, TaskContext context)
    {
        string tokens = TaskData.Resolve(options, context, "flickr8k/Flickr8k.token.txt");
        string folder = Path.Combine(Path.GetDirectoryName(tokens)!, "Images");
        var byImage = new Dictionary<string, List<string[]>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var caption in TaskData.Records(Flickr8kReader.ReadCaptions(tokens, options.Strict), context))
        {
            if (!byImage.TryGetValue(caption.Image, out var list))
            {
                byImage[caption.Image] = list = [];
                order.Add(caption.Image);
            }
            var words = WordTokenizer.Tokenize(caption.Text);
            if (words.Length > 0) list.Add(words);
        }
        var missing = order.Where(name => !File.Exists(Path.Combine(folder, name))).ToList();
        if (missing.Count > 0)
            context.Log($"{missing.Count} caption blocks ({missing.Sum(n => byImage[n].Count)} captions) are filed under names with no image in {folder}, and are left out: {string.Join(", ", missing.Take(5))}");
        var images = order.Where(name => File.Exists(Path.Combine(folder, name)) && byImage[name].Count > 0).ToList();
        var index = images.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
        int[] Split(string file)
        {
            var names = TaskData.Records(Flickr8kReader.ReadImageList(TaskData.Resolve(options, context, $"flickr8k/{file}"), options.Strict), context);
            var known = names.Where(index.ContainsKey).Select(n => index[n]).Distinct().ToArray();
            if (known.Length < names.Count) context.Log($"{file}: {names.Count - known.Length} of {names.Count} images have no captions or no image file (or are listed twice), left out");
            return known;
        }
        return new Flickr8k(folder, images, images.Select(n => byImage[n].ToArray()).ToArray(),
            Split("Flickr_8k.trainImages.txt"), Split("Flickr_8k.devImages.txt"), Split("Flickr_8k.testImages.txt"));
    }
}
