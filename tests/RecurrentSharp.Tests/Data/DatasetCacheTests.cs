using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class DatasetCacheTests
{
    private const string Airline = "timeseries/airline-passengers.csv";
    private static readonly string AirlineShared = SharedFolder.Path("timeseries", "airline-passengers.csv");

    /// <summary>Stands in for the network: records each request and writes what <see cref="Content"/> gives (or throws).</summary>
    private sealed class FakeDownloader(Func<Uri, byte[]> content) : IFileDownloader
    {
        public List<Uri> Requests { get; } = [];

        public Task DownloadAsync(Uri url, string destinationPath, CancellationToken cancellationToken)
        {
            Requests.Add(url);
            File.WriteAllBytes(destinationPath, content(url));
            return Task.CompletedTask;
        }
    }

    private static FakeDownloader Serving(byte[] bytes) => new(_ => bytes);

    private static Func<string, string?> Environment(string? dataFolder) => name => name == DatasetCache.EnvironmentVariable ? dataFolder : null;

    private static void Place(string folder, string relativePath, string sourceFile)
    {
        string path = Path.Combine(folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(sourceFile, path);
    }

    [Fact]
    public void Explicit_path_wins_over_the_environment_which_wins_over_the_cache()
    {
        using var temp = new TemporaryFolder();
        string data = Path.Combine(temp.Root, "data"), environment = Path.Combine(temp.Root, "env"), cache = Path.Combine(temp.Root, "cache");
        foreach (string folder in new[] { data, environment, cache }) Place(folder, Airline, AirlineShared);
        var downloader = Serving([]);

        Assert.Equal(Path.Combine(data, Airline), new DatasetCache(data, cache, downloader, Environment(environment)).Resolve(Airline));
        Assert.Equal(Path.Combine(environment, Airline), new DatasetCache(null, cache, downloader, Environment(environment)).Resolve(Airline));
        Assert.Equal(Path.Combine(cache, Airline), new DatasetCache(null, cache, downloader, Environment(null)).Resolve(Airline));
        Assert.Equal(Path.Combine(cache, Airline), new DatasetCache(null, cache, downloader, Environment(Path.Combine(temp.Root, "nowhere"))).Resolve(Airline));
        Assert.Empty(downloader.Requests);
    }

    [Fact]
    public void Explicit_path_may_name_the_dataset_folder_or_a_file()
    {
        using var temp = new TemporaryFolder();
        string datasetFolder = Path.Combine(temp.Root, "mine");
        Place(datasetFolder, "airline-passengers.csv", AirlineShared);
        Place(datasetFolder, "daily-min-temperatures.csv", SharedFolder.Path("timeseries", "daily-min-temperatures.csv"));
        string file = Path.Combine(datasetFolder, "airline-passengers.csv");

        Assert.Equal(file, new DatasetCache(datasetFolder, temp.Root, null, Environment(null)).Resolve(Airline));
        Assert.Equal(file, new DatasetCache(file, temp.Root, null, Environment(null)).Resolve(Airline));
        // A file path stands for its folder when another file of the dataset is asked for.
        Assert.Equal(Path.Combine(datasetFolder, "daily-min-temperatures.csv"),
            new DatasetCache(file, temp.Root, null, Environment(null)).Resolve("timeseries/daily-min-temperatures.csv"));
        Assert.Equal(SharedFolder.Path("timeseries", "airline-passengers.csv"), new DatasetCache(SharedFolder.DataRoot, temp.Root, null, Environment(null)).Resolve(Airline));
    }

    [Fact]
    public void A_missing_file_under_an_explicit_path_is_an_error_not_a_download()
    {
        using var temp = new TemporaryFolder();
        var downloader = Serving(File.ReadAllBytes(AirlineShared));
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(temp.Root, Path.Combine(temp.Root, "cache"), downloader, Environment(null)).Resolve(Airline));
        Assert.Contains($"under --data '{temp.Root}'", error.Message);
        Assert.Contains(Path.Combine(temp.Root, "timeseries", "airline-passengers.csv"), error.Message);
        Assert.Contains("8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621", error.Message);
        Assert.Empty(downloader.Requests);
    }

    [Fact]
    public void A_missing_cache_file_is_downloaded_from_the_catalog_url_checked_and_kept()
    {
        using var temp = new TemporaryFolder();
        var downloader = Serving(File.ReadAllBytes(AirlineShared));
        var logged = new List<string>();
        var cache = new DatasetCache(null, temp.Root, downloader, Environment(null)) { Log = logged.Add };
        string path = cache.Resolve(Airline);
        Assert.Equal(Path.Combine(temp.Root, Airline), path);
        Assert.Equal(File.ReadAllBytes(AirlineShared), File.ReadAllBytes(path));
        Assert.Equal(DatasetCatalog.Find(Airline)!.Source!.Url, Assert.Single(downloader.Requests));
        Assert.Contains("airline-passengers.csv", Assert.Single(logged));
        Assert.Equal([path], Directory.GetFiles(temp.Root, "*", SearchOption.AllDirectories)); // no temporary files left
        cache.Resolve(Airline);
        Assert.Single(downloader.Requests); // the second time it is in the cache
    }

    [Fact]
    public void A_download_with_the_wrong_sha256_is_rejected_and_not_kept()
    {
        using var temp = new TemporaryFolder();
        byte[] wrong = File.ReadAllBytes(AirlineShared);
        wrong[^1] = (byte)'3'; // 432 -> 433 in the last row
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(null, temp.Root, Serving(wrong), Environment(null)).Resolve(Airline));
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(wrong)), error.Message);
        Assert.Contains("expected 8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621", error.Message);
        Assert.Contains("not kept", error.Message);
        Assert.Contains($"Place the file at '{Path.Combine(temp.Root, Airline)}'", error.Message);
        Assert.Empty(Directory.GetFiles(temp.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Offline_the_message_says_which_file_to_place_where_with_its_sha256()
    {
        using var temp = new TemporaryFolder();
        const string sms = "sms-spam/SMSSpamCollection";
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(null, temp.Root, downloader: null, Environment(null)).Resolve(sms));
        Assert.Contains("'sms-spam/SMSSpamCollection' is not available", error.Message);
        Assert.Contains("offline", error.Message);
        Assert.Contains($"Place the file at '{Path.Combine(temp.Root, sms)}' (477,907 bytes, sha256 7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d)", error.Message);
        Assert.Contains("RNN_DATA is not set", error.Message);
        Assert.Contains("https://archive.ics.uci.edu/", error.Message);
        Assert.Contains("member 'SMSSpamCollection'", error.Message);
    }

    [Fact]
    public void A_failed_download_is_reported_with_its_cause()
    {
        using var temp = new TemporaryFolder();
        var failing = new FakeDownloader(_ => throw new HttpRequestException("Name or service not known (raw.githubusercontent.com:443)"));
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(null, temp.Root, failing, Environment(null)).Resolve(Airline));
        Assert.Contains("failed: Name or service not known", error.Message);
        Assert.Contains("Place the file at", error.Message);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Empty(Directory.GetFiles(temp.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_zip_archive_member_is_extracted_and_checked()
    {
        using var temp = new TemporaryFolder();
        byte[] sms = File.ReadAllBytes(SharedFolder.Path("sms-spam", "SMSSpamCollection"));
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var stream = archive.CreateEntry("__MACOSX/._SMSSpamCollection").Open()) stream.Write([0, 5, 22, 7]);
            using (var stream = archive.CreateEntry("smsspamcollection/SMSSpamCollection").Open()) stream.Write(sms);
        }
        string path = new DatasetCache(null, temp.Root, Serving(zip.ToArray()), Environment(null)).Resolve("sms-spam/SMSSpamCollection");
        Assert.Equal(sms, File.ReadAllBytes(path));
        Assert.Equal(5574, SmsSpamReader.Read(path).Records.Count);
    }

    [Fact]
    public void A_tar_gz_archive_member_is_extracted_and_checked()
    {
        using var temp = new TemporaryFolder();
        byte[] content = "a tiny positive snippet\n"u8.ToArray();
        var entry = new DatasetFile("small/tiny.pos", content.Length, Convert.ToHexStringLower(SHA256.HashData(content)),
            new DownloadSource(new Uri("https://example.invalid/tiny.tar.gz"), "tiny.pos"));
        var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            var member = new PaxTarEntry(TarEntryType.RegularFile, "tiny/tiny.pos") { DataStream = new MemoryStream(content) };
            tar.WriteEntry(member);
        }
        string path = new DatasetCache(null, temp.Root, Serving(archive.ToArray()), Environment(null), [entry]).Resolve("small/tiny.pos");
        Assert.Equal(content, File.ReadAllBytes(path));

        var missingMember = entry with { RelativePath = "small/other.pos", Source = entry.Source! with { ArchiveMember = "other.pos" } };
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(null, temp.Root, Serving(archive.ToArray()), Environment(null), [missingMember]).Resolve("small/other.pos"));
        Assert.Contains("no member named 'other.pos'", error.Message);
    }

    [Fact]
    public void A_file_outside_the_catalog_is_found_but_never_downloaded()
    {
        using var temp = new TemporaryFolder();
        var downloader = Serving([1]);
        var error = Assert.Throws<DatasetMissingException>(() => new DatasetCache(null, temp.Root, downloader, Environment(null)).Resolve("mine/data.csv"));
        Assert.Contains("No public download is known", error.Message);
        Assert.Empty(downloader.Requests);
    }

    [Fact]
    public void The_catalog_matches_every_file_of_the_shared_folder_byte_for_byte()
    {
        var shared = Directory.GetFiles(SharedFolder.DataRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SharedFolder.DataRoot, f).Replace('\\', '/'))
            .Where(f => f != "SOURCES.md")
            .Order(StringComparer.Ordinal);
        var members = DatasetCatalog.Manifests.SelectMany(manifest =>
            DatasetManifest.Read(SharedFolder.Path(manifest.RelativePath.Split('/')))
                .Select(member => (Path: $"{manifest.Folder}/{member.Key}", Sha256: member.Value))).ToList();
        var described = DatasetCatalog.Files.Select(f => f.RelativePath).Concat(members.Select(m => m.Path)).Distinct();
        Assert.Equal(shared, described.Order(StringComparer.Ordinal));
        Assert.All(DatasetCatalog.Files, file =>
        {
            string path = SharedFolder.Path(file.RelativePath.Split('/'));
            Assert.Equal(file.Bytes, new FileInfo(path).Length);
            Assert.Equal(file.Sha256, DatasetCache.ComputeSha256(path));
        });
        Assert.All(members, member => Assert.Equal(member.Sha256, DatasetCache.ComputeSha256(SharedFolder.Path(member.Path.Split('/')))));
        // Every file has a public https source, except the manifests, which were written for the shared folder.
        Assert.All(DatasetCatalog.Files.Where(f => DatasetCatalog.Manifests.All(m => m.RelativePath != f.RelativePath)),
            file => Assert.True(file.Source is not null && file.Source.Url.Scheme == "https", file.RelativePath));
        Assert.All(DatasetCatalog.Manifests, manifest => Assert.NotNull(DatasetCatalog.Find(manifest.RelativePath)));
    }

    [Fact]
    public void A_manifest_member_missing_from_the_cache_is_downloaded_and_checked_against_the_manifest()
    {
        using var temp = new TemporaryFolder();
        byte[] wav = "RIFF-not-really"u8.ToArray();
        string sha = Convert.ToHexStringLower(SHA256.HashData(wav));
        byte[] manifestBytes = System.Text.Encoding.UTF8.GetBytes($"{sha}  recordings/0_x_0.wav\n");
        var manifestEntry = new DatasetFile("speech/tiny/MANIFEST.sha256", manifestBytes.Length, Convert.ToHexStringLower(SHA256.HashData(manifestBytes)), null);
        Place(temp.Root, "speech/tiny/MANIFEST.sha256", WriteTemp(temp, manifestBytes));
        var manifest = new DatasetManifest("speech/tiny", new Uri("https://example.invalid/repo/"));
        var downloader = Serving(wav);

        string path = new DatasetCache(null, temp.Root, downloader, Environment(null), [manifestEntry], [manifest]).Resolve("speech/tiny/recordings/0_x_0.wav");

        Assert.Equal(wav, File.ReadAllBytes(path));
        Assert.Equal(new Uri("https://example.invalid/repo/recordings/0_x_0.wav"), Assert.Single(downloader.Requests));
        var wrong = Assert.Throws<DatasetMissingException>(() =>
            new DatasetCache(null, Path.Combine(temp.Root, "other"), Serving([1, 2, 3]), Environment(null), [manifestEntry], [manifest with { }])
                .Resolve("speech/tiny/recordings/0_x_0.wav"));
        Assert.Contains("MANIFEST.sha256", wrong.Message);  // the other cache has no manifest: the member cannot be had
        var corrupt = Assert.Throws<DatasetMissingException>(() =>
        {
            string cache = Path.Combine(temp.Root, "third");
            Place(cache, "speech/tiny/MANIFEST.sha256", WriteTemp(temp, manifestBytes));
            new DatasetCache(null, cache, Serving([1, 2, 3]), Environment(null), [manifestEntry], [manifest]).Resolve("speech/tiny/recordings/0_x_0.wav");
        });
        Assert.Contains($"expected {sha}", corrupt.Message);
    }

    [Theory]
    [InlineData("abc  x.wav\n", 1, "64 hex digits")]
    [InlineData("{0}  a.wav\n{0}  a.wav\n", 2, "listed twice")]
    [InlineData("{0}  ../etc/passwd\n", 1, "plain relative path")]
    [InlineData("{0}\tx.wav\n", 1, "64 hex digits")]
    public void A_malformed_manifest_line_is_reported_with_file_and_line(string content, int line, string reason)
    {
        using var temp = new TemporaryFolder();
        string path = WriteTemp(temp, System.Text.Encoding.UTF8.GetBytes(string.Format(content, new string('a', 64))));
        var error = Assert.Throws<DataFormatException>(() => DatasetManifest.Read(path));
        Assert.Equal(line, error.LineNumber);
        Assert.Contains(reason, error.Message);
        Assert.Contains(path, error.Message);
    }

    private static string WriteTemp(TemporaryFolder temp, byte[] bytes)
    {
        string path = Path.Combine(temp.Root, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
