using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace RecurrentSharp.Data;

/// <summary>
/// Finds a dataset file, downloading it when it is nowhere to be found. For a path under the data
/// folder such as <c>sms-spam/SMSSpamCollection</c> it looks, in this order:
/// <list type="number">
/// <item>the explicit data path (<c>--data</c>): a folder holding the file (under its full relative path,
/// or a shorter tail of it, e.g. just the file name), or a file with the requested name (then its folder
/// is searched for sibling files). Nothing found there is an error: an explicit path is never overridden;</item>
/// <item>the folder named by the environment variable <c>RNN_DATA</c>, the same way;</item>
/// <item>the per-user cache folder (<see cref="DefaultCacheFolder"/>), where a file of the
/// <see cref="DatasetCatalog"/> is downloaded when missing: to a temporary file, checked against its
/// sha256, then renamed into place — so a partial or wrong download is never used.</item>
/// </list>
/// When the file cannot be had, a <see cref="DatasetMissingException"/> says which file to place where,
/// with its expected sha256.
/// </summary>
public sealed class DatasetCache
{
    /// <summary>The environment variable naming a data folder (tests and CI set it to <c>../shared/data</c>).</summary>
    public const string EnvironmentVariable = "RNN_DATA";

    private readonly IFileDownloader? downloader;
    private readonly IReadOnlyList<DatasetFile> catalog;
    private readonly IReadOnlyList<DatasetManifest> manifests;
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> readManifests = new(StringComparer.Ordinal);   // by path: read once

    /// <summary>
    /// Creates a resolver. <paramref name="dataPath"/> is the explicit <c>--data</c> (null when not given);
    /// <paramref name="cacheFolder"/> defaults to <see cref="DefaultCacheFolder"/>; <paramref name="downloader"/>
    /// null means offline (no download is tried); <paramref name="getEnvironmentVariable"/> and
    /// <paramref name="catalog"/> and <paramref name="manifests"/> can be replaced in tests.
    /// </summary>
    public DatasetCache(string? dataPath = null, string? cacheFolder = null, IFileDownloader? downloader = null,
        Func<string, string?>? getEnvironmentVariable = null, IReadOnlyList<DatasetFile>? catalog = null,
        IReadOnlyList<DatasetManifest>? manifests = null)
    {
        DataPath = string.IsNullOrWhiteSpace(dataPath) ? null : dataPath;
        string? fromEnvironment = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        EnvironmentPath = string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
        CacheFolder = cacheFolder ?? DefaultCacheFolder();
        this.downloader = downloader;
        this.catalog = catalog ?? DatasetCatalog.Files;
        this.manifests = manifests ?? DatasetCatalog.Manifests;
    }

    /// <summary>The explicit data path (<c>--data</c>), or null.</summary>
    public string? DataPath { get; }

    /// <summary>The value of <c>RNN_DATA</c>, or null.</summary>
    public string? EnvironmentPath { get; }

    /// <summary>The per-user cache folder.</summary>
    public string CacheFolder { get; }

    /// <summary>Called with a line of text before each download (e.g. to print it).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// The per-user cache folder: <c>%LOCALAPPDATA%\RecurrentSharp\cache</c> on Windows, else
    /// <c>$XDG_CACHE_HOME/recurrentsharp</c> or <c>~/.cache/recurrentsharp</c>.
    /// </summary>
    public static string DefaultCacheFolder()
    {
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "RecurrentSharp", "cache");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "recurrentsharp");
    }

    /// <summary>The path of the file (see the class summary for the search order); blocks during a download.</summary>
    public string Resolve(string relativePath) => ResolveAsync(relativePath).GetAwaiter().GetResult();

    /// <summary>The path of the file (see the class summary for the search order).</summary>
    public async Task<string> ResolveAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        relativePath = relativePath.Replace('\\', '/').Trim('/');
        var entry = catalog.FirstOrDefault(f => f.RelativePath == relativePath);
        var looked = new List<string>();

        if (DataPath is not null)
        {
            if (FindUnder(DataPath, relativePath, looked) is { } found) return found;
            throw new DatasetMissingException(
                $"Dataset file '{relativePath}' was not found under --data '{DataPath}'. Looked at:{Bullets(looked)}" +
                (entry is null ? "" : $"\nExpected: {Describe(entry)}."));
        }
        if (EnvironmentPath is not null && FindUnder(EnvironmentPath, relativePath, looked) is { } fromEnvironment)
            return fromEnvironment;

        entry ??= await FindManifestMemberAsync(relativePath, cancellationToken).ConfigureAwait(false);
        string cached = Path.Combine(CacheFolder, relativePath);
        looked.Add(cached);
        if (File.Exists(cached) && (entry is null || IsIntact(cached, entry))) return cached;

        string problem;
        Exception? cause = null;
        if (entry?.Source is null)
            problem = "No public download is known for this file.";
        else if (downloader is null)
            problem = $"Downloads are off (offline); its source is {DescribeSource(entry.Source)}.";
        else
        {
            try
            {
                await DownloadAsync(entry, cached, cancellationToken).ConfigureAwait(false);
                return cached;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                cause = e;
                problem = $"Downloading it from {DescribeSource(entry.Source)} failed: {e.Message}";
            }
        }
        string message =
            $"Dataset file '{relativePath}' is not available. {problem}\n" +
            $"Looked at:{Bullets(looked)}{(EnvironmentPath is null ? $"\n  (the environment variable {EnvironmentVariable} is not set)" : "")}\n" +
            $"Place the file at '{cached}'{(entry is null ? "" : $" ({Describe(entry)})")}, or pass --data FOLDER, or set {EnvironmentVariable} to a folder that holds '{relativePath}'.";
        throw cause is null ? new DatasetMissingException(message) : new DatasetMissingException(message, cause);
    }

    /// <summary>
    /// The catalog entry of a member of a manifest-described dataset: its sha256 from the manifest (which is
    /// resolved, and downloaded if need be, like any other file), its size unknown (-1), its source the
    /// manifest's base URL plus the member's path. Null when the path is in no such dataset, is not listed
    /// in its manifest; a <see cref="DatasetMissingException"/> naming both when the manifest cannot be had.
    /// </summary>
    private async Task<DatasetFile?> FindManifestMemberAsync(string relativePath, CancellationToken cancellationToken)
    {
        var manifest = manifests.FirstOrDefault(m => m.Contains(relativePath));
        if (manifest is null || relativePath == manifest.RelativePath) return null;
        string manifestPath;
        try { manifestPath = await ResolveAsync(manifest.RelativePath, cancellationToken).ConfigureAwait(false); }
        catch (DatasetMissingException e)
        {
            throw new DatasetMissingException(
                $"Dataset file '{relativePath}' belongs to '{manifest.Folder}', whose files are known from its manifest, and the manifest is missing too. {e.Message}", e);
        }
        string member = relativePath[(manifest.Folder.Length + 1)..];
        if (!readManifests.TryGetValue(manifestPath, out var listed))
            readManifests[manifestPath] = listed = DatasetManifest.Read(manifestPath);
        if (!listed.TryGetValue(member, out string? sha256)) return null;
        var source = manifest.MemberBaseUrl is null ? null : new DownloadSource(new Uri(manifest.MemberBaseUrl, Uri.EscapeDataString(member).Replace("%2F", "/")));
        return new DatasetFile(relativePath, -1, sha256, source);
    }

    /// <summary>A cached file counts when its size matches (or, for a manifest member of unknown size, its sha256 does).</summary>
    private static bool IsIntact(string path, DatasetFile entry) =>
        entry.Bytes >= 0 ? new FileInfo(path).Length == entry.Bytes : ComputeSha256(path) == entry.Sha256;

    /// <summary>
    /// The file under <paramref name="root"/>: root/a/b/c, then root/b/c, then root/c (so --data may name
    /// the data folder, the dataset's folder, or the file's own folder); a root that is itself a file
    /// counts when its name is the requested one, and otherwise stands for its folder.
    /// </summary>
    private static string? FindUnder(string root, string relativePath, List<string> looked)
    {
        string fileName = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        if (File.Exists(root))
        {
            looked.Add(root);
            if (Path.GetFileName(root) == fileName) return root;
            root = Path.GetDirectoryName(Path.GetFullPath(root))!;
        }
        string[] segments = relativePath.Split('/');
        for (int skip = 0; skip < segments.Length; skip++)
        {
            string candidate = Path.Combine([root, .. segments[skip..]]);
            looked.Add(candidate);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private async Task DownloadAsync(DatasetFile entry, string destination, CancellationToken cancellationToken)
    {
        var source = entry.Source!;
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        string stamp = $".{Environment.ProcessId}.{Guid.NewGuid():N}";
        string download = destination + stamp + ".download";
        string extracted = destination + stamp + ".extract";
        try
        {
            Log?.Invoke($"Downloading {entry.RelativePath} from {DescribeSource(source)} into {CacheFolder}");
            await downloader!.DownloadAsync(source.Url, download, cancellationToken).ConfigureAwait(false);
            string candidate = download;
            if (source.ArchiveMember is not null)
            {
                ExtractMember(download, source.ArchiveMember, extracted);
                candidate = extracted;
            }
            string sha256 = ComputeSha256(candidate);
            if (sha256 != entry.Sha256)
                throw new InvalidDataException($"the downloaded file has sha256 {sha256} ({new FileInfo(candidate).Length} bytes), expected {entry.Sha256}{(entry.Bytes >= 0 ? $" ({entry.Bytes} bytes)" : "")}; it was not kept");
            File.Move(candidate, destination, overwrite: true);
        }
        finally
        {
            File.Delete(download);
            File.Delete(extracted);
        }
    }

    /// <summary>Copies the member named <paramref name="memberName"/> (last path segment) out of a .zip or .tar.gz / .tar archive.</summary>
    private static void ExtractMember(string archivePath, string memberName, string destination)
    {
        using var file = File.OpenRead(archivePath);
        int first = file.ReadByte(), second = file.ReadByte();
        file.Position = 0;
        if (first == 'P' && second == 'K')
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var member = zip.Entries.FirstOrDefault(e => e.Name == memberName)
                ?? throw new InvalidDataException($"the archive holds no member named '{memberName}'");
            member.ExtractToFile(destination, overwrite: true);
            return;
        }
        Stream tarStream = first == 0x1F && second == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var tar = new TarReader(tarStream);
        while (tar.GetNextEntry() is { } tarEntry)
        {
            if (tarEntry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                && tarEntry.Name.TrimEnd('/').Split('/')[^1] == memberName)
            {
                tarEntry.ExtractToFile(destination, overwrite: true);
                return;
            }
        }
        throw new InvalidDataException($"the archive holds no member named '{memberName}'");
    }

    /// <summary>The lower-case hex SHA-256 of a file.</summary>
    public static string ComputeSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Describe(DatasetFile entry) => entry.Bytes < 0
        ? $"sha256 {entry.Sha256}"
        : $"{entry.Bytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes, sha256 {entry.Sha256}";

    private static string DescribeSource(DownloadSource source) =>
        source.ArchiveMember is null ? source.Url.AbsoluteUri : $"{source.Url.AbsoluteUri} (member '{source.ArchiveMember}')";

    private static string Bullets(IEnumerable<string> paths) => string.Concat(paths.Select(p => $"\n  {p}"));
}
