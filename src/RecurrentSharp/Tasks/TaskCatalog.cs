using RecurrentSharp.Tasks.Adding;
using RecurrentSharp.Tasks.Atis;
using RecurrentSharp.Tasks.Captions;
using RecurrentSharp.Tasks.CharLm;
using RecurrentSharp.Tasks.Har;
using RecurrentSharp.Tasks.Mnist;
using RecurrentSharp.Tasks.Poetry;
using RecurrentSharp.Tasks.Sentiment;
using RecurrentSharp.Tasks.SmsSpam;
using RecurrentSharp.Tasks.Speech;
using RecurrentSharp.Tasks.TimeSeries;
using RecurrentSharp.Tasks.Translation;

namespace RecurrentSharp.Tasks;

/// <summary>Every application task, by name.</summary>
public static class TaskCatalog
{
    /// <summary>The tasks in the order <c>rnn tasks</c> lists them; the first is the built-in demo.</summary>
    public static IReadOnlyList<ApplicationTask> All { get; } =
    [
        new AddingDemoTask(),
        new MnistTask(),
        new SmsSpamTask(),
        new SentimentTask(),
        new TimeSeriesTask(),
        new HarTask(),
        new CharLmTask(),
        new AtisTask(),
        new Seq2SeqTask(),
        new PoemAutoencoderTask(),
        new SpeechTask(),
        new CaptionTask(),
    ];

    /// <summary>The task called <paramref name="name"/>, or a <see cref="TaskUsageException"/> listing the names.</summary>
    public static ApplicationTask Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new TaskUsageException($"Unknown task '{name}'. Known tasks: {string.Join(", ", All.Select(t => t.Name))}.");
}
