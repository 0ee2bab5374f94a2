using RecurrentSharp.Data;

namespace RecurrentSharp.Tasks.Common;

/// <summary>Finds a task's data files (--data, RNN_DATA, the cache with download) and reports skipped lines.</summary>
public static class TaskData
{
    /// <summary>The path of a dataset file given by its path inside the data folder (e.g. "sms-spam/SMSSpamCollection").</summary>
    public static string Resolve(TaskOptions options, TaskContext context, string relativePath)
    {
        var cache = new DatasetCache(options.DataPath, downloader: options.AllowDownload ? new HttpFileDownloader() : null) { Log = context.Log };
        return cache.Resolve(relativePath);
    }

    /// <summary>
    /// The file named by --data when it is a file, else the dataset file resolved as usual (for evaluating a
    /// saved model on any file of the same format).
    /// </summary>
    public static string ResolveFileOrDefault(TaskOptions options, TaskContext context, string relativePath) =>
        options.DataPath is { } path && File.Exists(path) ? path : Resolve(options, context, relativePath);

    /// <summary>Logs every skipped malformed line (file, line, reason) and returns the records.</summary>
    public static IReadOnlyList<T> Records<T>(ReadResult<T> result, TaskContext context)
    {
        foreach (var skipped in result.Skipped) context.Log($"skipped {skipped}");
        return result.Records;
    }
}
