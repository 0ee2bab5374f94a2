using System.Text;
using RecurrentSharp.Data;
using RecurrentSharp.Formats.Wav;

namespace RecurrentSharp.Tests.Data;

/// <summary>
/// Every reader against the same hostile files: invalid UTF-8, a byte-order mark, CRLF line ends, a 10 MB line,
/// binary garbage, an empty file and a file too large to read into memory. Each either reads (skipping and counting what it cannot parse) or throws a
/// <see cref="RecurrentSharpException"/> whose message names the file; never another exception, never a crash.
/// With <c>strict</c>, a malformed line is a <see cref="DataFormatException"/> with its line number.
/// </summary>
public class HostileInputTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        string[] readers = ["sms-spam", "rt-polarity", "labelled-sentences", "sentence-pairs", "atis", "timeseries-csv", "text-corpus", "tang-poems", "idx-images", "idx-labels", "har-labels", "wav", "flickr8k-captions", "flickr8k-images"];
        string[] contents = ["invalid-utf8", "bom-crlf", "long-line", "garbage", "empty", "two-gigabytes"];
        foreach (var r in readers)
            foreach (var c in contents) data.Add(r, c);
        return data;
    }

    private static byte[] Content(string kind)
    {
        var random = new Random(7);
        switch (kind)
        {
            case "invalid-utf8": return [.. "ham\thello\n"u8, 0xC3, 0x28, 0xFF, 0xFE, (byte)'\t', (byte)'x', (byte)'\n', .. "spam\twin\n"u8];
            case "bom-crlf": return [0xEF, 0xBB, 0xBF, .. "ham\thello there\r\nspam\tfree prize\r\n"u8];
            case "long-line":
                var line = new byte[10 << 20];
                for (int i = 0; i < line.Length; i++) line[i] = (byte)('a' + random.Next(26));
                return [.. "ham\t"u8, .. line, (byte)'\n'];
            case "garbage":
                var bytes = new byte[64 << 10];
                random.NextBytes(bytes);
                return bytes;
            default: return [];
        }
    }

    private static void Read(string reader, string path, bool strict)
    {
        switch (reader)
        {
            case "sms-spam": SmsSpamReader.Read(path, strict); break;
            case "rt-polarity": RtPolarityReader.ReadFile(path, 1, strict); break;
            case "labelled-sentences": LabelledSentencesReader.Read(path, strict); break;
            case "sentence-pairs": SentencePairReader.Read(path, strict); break;
            case "atis": AtisReader.Read(path, strict); break;
            case "timeseries-csv": TimeSeriesCsvReader.Read(path, 0, strict); break;
            case "text-corpus": TextCorpusReader.Read(path, strict); break;
            case "tang-poems": ChinesePoetryReader.Read(path, strict); break;
            case "idx-images": IdxReader.ReadImages(path); break;
            case "idx-labels": IdxReader.ReadLabels(path); break;
            case "har-labels": HarReader.ReadActivityLabels(path); break;
            case "wav": WavReader.Read(path); break;
            case "flickr8k-captions": Flickr8kReader.ReadCaptions(path, strict); break;
            case "flickr8k-images": Flickr8kReader.ReadImageList(path, strict); break;
            default: throw new ArgumentException(reader);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_hostile_file_is_read_or_refused_with_a_message_naming_it(string reader, string content)
    {
        using var temp = new TemporaryFolder();
        string path = Path.Combine(temp.Root, $"{reader}-{content}.dat");
        if (content == "two-gigabytes")
        {
            // A sparse file (no disk used) one byte past what one array holds: File.ReadAllBytes refuses it with an IOException.
            using var file = new FileStream(path, FileMode.CreateNew);
            file.SetLength((long)Array.MaxLength + 1);
        }
        else File.WriteAllBytes(path, Content(content));
        foreach (bool strict in new[] { false, true })
        {
            var error = Record.Exception(() => Read(reader, path, strict));
            if (error is null) continue;
            Assert.True(error is RecurrentSharpException, $"{reader} on {content} (strict {strict}) threw {error.GetType().Name}: {error.Message}");
            Assert.Contains(path, error.Message);
        }
    }
}
