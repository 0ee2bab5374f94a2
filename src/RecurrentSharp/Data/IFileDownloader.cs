namespace RecurrentSharp.Data;

/// <summary>Fetches a URL into a file. <see cref="DatasetCache"/> uses it; tests inject a fake so they never touch the network.</summary>
public interface IFileDownloader
{
    /// <summary>Downloads <paramref name="url"/> into the new file <paramref name="destinationPath"/>; throws on any failure.</summary>
    Task DownloadAsync(Uri url, string destinationPath, CancellationToken cancellationToken);
}

/// <summary>Downloads over HTTP(S) with <see cref="HttpClient"/>.</summary>
public sealed class HttpFileDownloader : IFileDownloader
{
    private static readonly HttpClient Client = CreateClient();

    private static HttpClient CreateClient()
    {
        var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("RecurrentSharp-DatasetCache/1.0");
        return client;
    }

    /// <inheritdoc />
    public async Task DownloadAsync(Uri url, string destinationPath, CancellationToken cancellationToken)
    {
        using var response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var destination = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }
}
