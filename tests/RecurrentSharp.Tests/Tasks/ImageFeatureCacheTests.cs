using RecurrentSharp.Tasks;
using RecurrentSharp.Tasks.Captions;
using RecurrentSharp.Tests.Data;

namespace RecurrentSharp.Tests.Tasks;

public class ImageFeatureCacheTests
{
    [Fact]
    public void Features_are_computed_once_found_again_by_file_content_and_recomputed_on_request_while_a_corrupt_image_is_skipped()
    {
        using var temp = new TemporaryFolder();
        var (network, preprocessing) = PretrainedResNet.Locate();
        var featurizer = PretrainedResNet.Load();
        string id = ImageFeatureCache.ModelId(network, preprocessing);
        string photo = SharedFolder.Path("flickr8k", "Images", "1000268201_693b08cb0e.jpg");
        string copy = Path.Combine(temp.Root, "renamed.jpg");
        File.Copy(photo, copy);
        string broken = temp.Write("broken.jpg", File.ReadAllBytes(photo)[..5000]);
        var cache = new ImageFeatureCache(featurizer, id, Path.Combine(temp.Root, "cache"));

        var first = cache.Get([photo, broken], withGrid: true, recompute: false, TaskContext.Silent);
        Assert.Equal(1, first.Computed);   // the broken one failed
        Assert.Contains(first.Failed, f => f.Contains(broken));
        Assert.Null(first.Features[1]);
        Assert.Equal(512, first.Features[0]!.Pooled.Length);
        Assert.Equal(49 * 512, first.Features[0]!.Grid!.Length);
        Assert.True(File.Exists(cache.PooledPath) && File.Exists(cache.GridPath));

        // The same bytes under another name come from the cache, not from the network.
        var again = cache.Get([copy], withGrid: true, recompute: false, TaskContext.Silent);
        Assert.Equal(0, again.Computed);
        Assert.Equal(first.Features[0]!.Pooled, again.Features[0]!.Pooled);
        Assert.Equal(first.Features[0]!.Grid, again.Features[0]!.Grid);

        var recomputed = cache.Get([copy], withGrid: false, recompute: true, TaskContext.Silent);
        Assert.Equal(1, recomputed.Computed);
        Assert.Null(recomputed.Features[0]!.Grid);
        Assert.Equal(first.Features[0]!.Pooled, recomputed.Features[0]!.Pooled);
    }
}
