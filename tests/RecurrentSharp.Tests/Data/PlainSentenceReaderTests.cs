using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class PlainSentenceReaderTests
{
    [Fact]
    public void Empty_lines_are_skipped_and_long_lines_truncated_and_both_are_counted()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("s.txt", "我饿了。\n\n   \n床前明月光疑是地上霜\r\n𠀀𠀁𠀂𠀃\n你好\n");
        var result = PlainSentenceReader.Read(path, maxLength: 3);
        Assert.Equal(["我饿了", "床前明", "𠀀𠀁𠀂", "你好"], result.Sentences.Select(s => s.Target));
        Assert.All(result.Sentences, s => Assert.Equal(s.Target, s.Source));
        Assert.Equal([1, 4, 5, 6], result.Sentences.Select(s => s.LineNumber));
        Assert.Equal(2, result.EmptyLines);
        Assert.Equal(3, result.Truncated);   // surrogate pairs count as one character each
        Assert.True(PlainSentenceReader.IsPlainText(path));
        Assert.False(PlainSentenceReader.IsPlainText(temp.Write("p.txt", "\nHi.\t嗨。\n")));
    }

    [Fact]
    public void A_line_that_is_not_utf8_is_named()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("bad.txt", [0xE4, 0xBD, 0xA0, (byte)'\n', 0xFF, 0xFE, (byte)'\n']);
        var result = PlainSentenceReader.Read(path, 10);
        Assert.Single(result.Sentences);
        Assert.Equal(2, Assert.Single(result.Skipped).LineNumber);
        Assert.Contains("line 2", Assert.Throws<DataFormatException>(() => PlainSentenceReader.Read(path, 10, strict: true)).Message);
    }
}
