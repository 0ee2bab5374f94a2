using RecurrentSharp.Data.Images;
using RecurrentSharp.Models.Vision;

namespace RecurrentSharp.Tasks.Captions;

/// <summary>What a pretrained CNN makes of one image.</summary>
/// <param name="Pooled">The network's output (ResNet-18: the 512 globally pooled features).</param>
/// <param name="Grid">The value the final pool reads, positions x channels (ResNet-18: 7·7 x 512), or null when not asked for.</param>
public sealed record ImageFeatures(float[] Pooled, float[]? Grid);

/// <summary>A pretrained CNN with its preprocessing: images in, <see cref="ImageFeatures"/> out, several images at once on all kernel threads.</summary>
public sealed class ImageFeaturizer(ImagePreprocessing preprocessing, FrozenConvNet network)
{
    /// <summary>The preprocessing.</summary>
    public ImagePreprocessing Preprocessing { get; } = preprocessing;

    /// <summary>The network.</summary>
    public FrozenConvNet Network { get; } = network;

    /// <summary>The size of <see cref="ImageFeatures.Pooled"/>.</summary>
    public int PooledSize => Network.OutputSize;

    /// <summary>The shape of <see cref="ImageFeatures.Grid"/>: positions and channels (0, 0 when the network has no final pool).</summary>
    public (int Positions, int Channels) GridShape => Network.Grid is { } g ? (Network.Shapes[g].Positions, Network.Shapes[g].Channels) : (0, 0);

    /// <summary>
    /// The features of <paramref name="count"/> images; <paramref name="image"/>(i) loads image i (called on a worker
    /// thread). <paramref name="done"/>(i, features) is called as each finishes (on that thread); a
    /// <see cref="DataFormatException"/> of image i goes to <paramref name="failed"/>(i, error) instead. Once
    /// <paramref name="cancellation"/> is set, no further image is started.
    /// </summary>
    public void Featurize(int count, Func<int, RgbImage> image, bool withGrid, Action<int, ImageFeatures> done, Action<int, DataFormatException> failed,
        CancellationToken cancellation = default)
    {
        var failures = new bool[count];
        Network.RunBatch(count, (i, input) =>
        {
            try
            {
                Preprocessing.Apply(image(i), input);
            }
            catch (DataFormatException e)
            {
                failures[i] = true;
                input.Clear();
                failed(i, e);
            }
        }, (i, workspace) =>
        {
            if (!failures[i]) done(i, Read(workspace, withGrid));
        }, cancellation);
    }

    /// <summary>The features of one image (its products on all kernel threads).</summary>
    public ImageFeatures Featurize(RgbImage image, bool withGrid = false)
    {
        var input = new float[Network.InputShape.Size];
        Preprocessing.Apply(image, input);
        var workspace = Network.CreateWorkspace();
        Network.Run(input, workspace);
        return Read(workspace, withGrid);
    }

    private ImageFeatures Read(FrozenConvNet.Workspace workspace, bool withGrid)
    {
        float[]? grid = withGrid && Network.Grid is { } g ? workspace.Value(g)[..Network.Shapes[g].Size].ToArray() : null;
        return new ImageFeatures(workspace.Value(Network.Output)[..Network.OutputSize].ToArray(), grid);
    }
}
