using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class SmsSpamReaderTests
{
    [Fact]
    public void Real_collection_holds_5574_messages_of_which_747_spam()
    {
        var result = SmsSpamReader.Read(SharedFolder.Path("sms-spam", "SMSSpamCollection"), strict: true);
        Assert.Equal(5574, result.Records.Count);
        Assert.Equal(747, result.Records.Count(r => r.Label == 1));
        Assert.Equal(4827, result.Records.Count(r => r.Label == 0));
        Assert.Empty(result.Skipped);
        Assert.Equal("Go until jurong point, crazy.. Available only in bugis n great world la e buffet... Cine there got amore wat...", result.Records[0].Text);
        Assert.Equal(5574, result.Records[^1].LineNumber);
    }

    [Fact]
    public void Malformed_lines_are_skipped_and_listed_in_lenient_mode()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("sms.txt", "ham\thello\nnotab here\nspam\tWIN NOW\neggs\tbad label\nham\t\n");
        var result = SmsSpamReader.Read(path);
        Assert.Equal(["hello", "WIN NOW"], result.Records.Select(r => r.Text));
        Assert.Equal([0, 1], result.Records.Select(r => r.Label));
        Assert.Equal([2, 4, 5], result.Skipped.Select(s => s.LineNumber));
        Assert.All(result.Skipped, s => Assert.Equal(path, s.FilePath));
        Assert.Contains("no TAB", result.Skipped[0].Reason);
        Assert.Contains("'eggs'", result.Skipped[1].Reason);
    }

    [Fact]
    public void Strict_mode_throws_at_the_first_malformed_line_with_file_and_line()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("sms.txt", "ham\tfine\nham\tfine too\nspam no tab\n");
        var error = Assert.Throws<DataFormatException>(() => SmsSpamReader.Read(path, strict: true));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Contains($"{path}, line 3", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_on_its_line()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("sms.txt", [.. "ham\tok\nham\tcaf"u8, 0xE9, .. "\n"u8]);
        var error = Assert.Throws<DataFormatException>(() => SmsSpamReader.Read(path, strict: true));
        Assert.Equal(2, error.LineNumber);
        Assert.Contains("invalid UTF-8", error.Message);
        Assert.Contains("0xE9", error.Message);
    }

    [Fact]
    public void A_file_without_any_valid_message_is_an_error_even_when_lenient()
    {
        using var temp = new TemporaryFolder();
        var error = Assert.Throws<DataFormatException>(() => SmsSpamReader.Read(temp.Write("empty.txt", "")));
        Assert.Contains("no records", error.Message);
        var allBad = Assert.Throws<DataFormatException>(() => SmsSpamReader.Read(temp.Write("bad.txt", "x\ny\n")));
        Assert.Contains("2 malformed lines", allBad.Message);
        Assert.Throws<DatasetMissingException>(() => SmsSpamReader.Read(Path.Combine(temp.Root, "absent.txt")));
    }
}
