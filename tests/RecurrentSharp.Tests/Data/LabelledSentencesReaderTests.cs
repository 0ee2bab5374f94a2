using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class LabelledSentencesReaderTests
{
    [Fact]
    public void Real_imdb_file_holds_1000_sentences_500_per_class_despite_NEL_and_quotes()
    {
        var result = LabelledSentencesReader.Read(SharedFolder.Path("sentiment", "sentiment-labelled-sentences", "imdb_labelled.txt"), strict: true);
        Assert.Equal(1000, result.Records.Count);
        Assert.Equal(500, result.Records.Count(r => r.Label == 1));
        Assert.Equal(500, result.Records.Count(r => r.Label == 0));
        Assert.Equal(2, result.Records.Count(r => r.Text.Contains('\u0085')));
        Assert.Equal(43, result.Records.Count(r => r.Text.Contains('"')));
        Assert.DoesNotContain(result.Records, r => r.Text.Contains('\t'));
    }

    [Fact]
    public void The_label_is_after_the_last_tab()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("s.txt", "a\ttab inside\t1\r\n\"quoted, not CSV\t0\n");
        var records = LabelledSentencesReader.Read(path, strict: true).Records;
        Assert.Equal(["a\ttab inside", "\"quoted, not CSV"], records.Select(r => r.Text));
        Assert.Equal([1, 0], records.Select(r => r.Label));
    }

    [Fact]
    public void A_bad_label_is_reported_with_file_and_line()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("s.txt", "good\t1\nmeh\t2\nno label at all\n");
        var lenient = LabelledSentencesReader.Read(path);
        Assert.Single(lenient.Records);
        Assert.Equal([2, 3], lenient.Skipped.Select(s => s.LineNumber));
        var error = Assert.Throws<DataFormatException>(() => LabelledSentencesReader.Read(path, strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
        Assert.Contains("'2'", error.Message);
    }
}
