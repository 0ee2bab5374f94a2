using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Models.Vision;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks.Captions;

/// <summary>The features of a set of images and the images that could not be read.</summary>
/// <param name="Features">By image index; null where the image failed.</param>
/// <param name="Failed">The images that could not be read (file and reason), skipped.</param>
/// <param name="Computed">How many images were run through the CNN (the rest came from the cache).</param>
/// <param name="Seconds">The wall time of computing them.</param>
/// <param name="Missing">Images left without features: not computed because the run was cancelled or only cached features were asked for.</param>
public sealed record CachedFeatures(ImageFeatures?[] Features, IReadOnlyList<string> Failed, int Computed, double Seconds, int Missing = 0);

/// <summary>
/// CNN features of images computed once and kept: two safetensors files per model in the cache folder,
/// <c>&lt;model&gt;.pooled.safetensors</c> (a 512-vector per image) and <c>&lt;model&gt;.grid.safetensors</c>
/// (49 x 512 per image, for attention), each tensor named by the SHA-256 of the image file's bytes, so a renamed
/// image is still found and an edited one is recomputed. &lt;model&gt; is the first 16 hex digits of the SHA-256 of
/// the network and preprocessing files. Missing images are computed on all kernel threads (progress with the
/// images per second and the time left), and the files are rewritten atomically — also when the run is cancelled,
/// so the images done so far are not lost.
/// </summary>
public sealed class ImageFeatureCache(ImageFeaturizer featurizer, string modelId, string folder)
{
    /// <summary>The identity of a network and its preprocessing: the first 16 hex digits of the SHA-256 of both files' bytes.</summary>
    public static string ModelId(params string[] files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files) hash.AppendData(File.ReadAllBytes(file));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>The file of the pooled features.</summary>
    public string PooledPath => Path.Combine(folder, $"resnet18-{modelId}.pooled.safetensors");

    /// <summary>The file of the grids.</summary>
    public string GridPath => Path.Combine(folder, $"resnet18-{modelId}.grid.safetensors");

    /// <summary>
    /// The features of <paramref name="images"/> (file paths): from the cache unless <paramref name="recompute"/>, the rest
    /// computed and added to it. <paramref name="withGrid"/> also returns (and so needs) the grids.
    /// </summary>
    public CachedFeatures Get(IReadOnlyList<string> images, bool withGrid, bool recompute, TaskContext context, bool cachedOnly = false)
    {
        var hashes = new string[images.Count];
        var failed = new List<string>();
        var failedIndex = new bool[images.Count];
        Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = Kernels.KernelThreads.Count }, i =>
        {
            try
            {
                using var stream = File.OpenRead(images[i]);
                hashes[i] = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failedIndex[i] = true;
                lock (failed) failed.Add($"{images[i]}: cannot read the image ({e.Message})");
            }
        });
        var pooled = recompute ? null : ReadIfPresent(PooledPath, context);
        var grid = recompute || !withGrid ? null : ReadIfPresent(GridPath, context);
        var features = new ImageFeatures?[images.Count];
        var missing = new List<int>();
        for (int i = 0; i < images.Count; i++)
        {
            if (failedIndex[i]) continue;
            if (pooled is not null && pooled.TryGet(hashes[i], out var p) && (!withGrid || (grid is not null && grid.TryGet(hashes[i], out _))))
                features[i] = new ImageFeatures(p.ToFloat32Array(), withGrid ? grid![hashes[i]].ToFloat32Array() : null);
            else missing.Add(i);
        }
        if (missing.Count == 0) return new CachedFeatures(features, failed, 0, 0);
        if (cachedOnly) return new CachedFeatures(features, failed, 0, 0, missing.Count);

        context.Log($"computing the ResNet-18 features of {missing.Count} images ({images.Count - missing.Count - failed.Count} from the cache {PooledPath}) on {Kernels.KernelThreads.Count} threads");
        var progress = context.ProgressFor("resnet18 features");
        progress?.Report(new TrainingProgress(ProgressKind.EpochStart, 1, 1, 0, missing.Count, 0, 0, 0));
        var clock = Stopwatch.StartNew();
        int finished = 0;
        double nextLog = 30;
        featurizer.Featurize(missing.Count, k => ImageDecoder.Decode(images[missing[k]]), withGrid: true, (k, f) =>
        {
            features[missing[k]] = f;
            int n = Interlocked.Increment(ref finished);
            double seconds = clock.Elapsed.TotalSeconds, rate = n / Math.Max(1e-9, seconds);
            progress?.Report(new TrainingProgress(ProgressKind.Batch, 1, 1, n, missing.Count, 0, 0, rate));
            if (seconds >= nextLog)
            {
                lock (failed)
                {
                    if (seconds < nextLog) return;
                    nextLog = seconds + 30;
                }
                context.Log(string.Create(CultureInfo.InvariantCulture, $"resnet18 features: {n}/{missing.Count} images, {rate:F1} images/s, {(missing.Count - n) / rate:F0} s left"));
            }
        }, (k, error) =>
        {
            lock (failed) failed.Add(error.Message);
            failedIndex[missing[k]] = true;
        }, context.Cancellation);
        double elapsed = clock.Elapsed.TotalSeconds;
        int left = missing.Count(i => features[i] is null && !failedIndex[i]);
        if (left > 0) context.Log($"resnet18 features: cancelled with {left} images left; the {finished} computed are kept in the cache");
        progress?.Report(new TrainingProgress(ProgressKind.EpochEnd, 1, 1, missing.Count, missing.Count, 0, 0, missing.Count / Math.Max(1e-9, elapsed)));
        context.Log(string.Create(CultureInfo.InvariantCulture, $"resnet18 features: {missing.Count - failed.Count} images in {elapsed:F1} s ({(missing.Count - failed.Count) / Math.Max(1e-9, elapsed):F1} images/s); {failed.Count} skipped"));

        Save(PooledPath, pooled, hashes, features, f => f.Pooled, [featurizer.PooledSize]);
        var (positions, channels) = featurizer.GridShape;
        Save(GridPath, recompute ? null : grid ?? ReadIfPresent(GridPath, context), hashes, features, f => f.Grid!, [positions, channels]);
        if (!withGrid) for (int i = 0; i < features.Length; i++) if (features[i] is { } f) features[i] = f with { Grid = null };
        return new CachedFeatures(features, failed, finished, elapsed, left);
    }

    /// <summary>Writes the old entries (those not recomputed) and the new ones.</summary>
    private void Save(string path, SafetensorsFile? old, string[] hashes, ImageFeatures?[] features, Func<ImageFeatures, float[]> part, int[] shape)
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["model"] = modelId;
        for (int i = 0; i < features.Length; i++)
            if (features[i] is { } f && part(f) is { } values && !writer.Contains(hashes[i])) writer.Add(hashes[i], values, shape);
        if (old is not null)
            foreach (var tensor in old.Tensors)
                if (!writer.Contains(tensor.Name) && tensor.Shape.SequenceEqual(shape)) writer.Add(tensor.Name, tensor.ToFloat32Array(), shape);
        AtomicFile.Write(path, writer.WriteTo);
    }

    private static SafetensorsFile? ReadIfPresent(string path, TaskContext context)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return SafetensorsReader.Read(path);
        }
        catch (RecurrentSharpException e)
        {
            context.Log($"the feature cache {path} cannot be read ({e.Message}); its features are computed again");
            return null;
        }
    }
}
