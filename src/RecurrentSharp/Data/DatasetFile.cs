namespace RecurrentSharp.Data;

/// <summary>Where a dataset file can be downloaded: a URL, and the member to extract when the URL is an archive.</summary>
/// <param name="Url">The file, or the .zip / .tar.gz archive holding it.</param>
/// <param name="ArchiveMember">The file name of the member to extract (matched on the last path segment), or null when the URL is the file itself.</param>
public sealed record DownloadSource(Uri Url, string? ArchiveMember = null);

/// <summary>A file of a known dataset: its path under the data folder, its size and sha256, and where to fetch it.</summary>
/// <param name="RelativePath">The path under a data folder, with '/' separators (e.g. <c>sms-spam/SMSSpamCollection</c>).</param>
/// <param name="Bytes">The exact size, or -1 when only the sha256 is known (a member of a <see cref="DatasetManifest"/>).</param>
/// <param name="Sha256">The lower-case hex SHA-256 of the exact bytes.</param>
/// <param name="Source">Where to download it, or null when there is no public source to fetch from.</param>
public sealed record DatasetFile(string RelativePath, long Bytes, string Sha256, DownloadSource? Source);
