using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class AtisReaderTests
{
    private static ReadResult<AtisUtterance> ReadShared(string name) => AtisReader.Read(SharedFolder.Path("atis", name), strict: true);

    [Theory]
    [InlineData("atis-2.train.w-intent.iob", 4478, 21, 23, 120)]
    [InlineData("atis-2.dev.w-intent.iob", 500, 16, 3, 96)]
    [InlineData("atis.train.w-intent.iob", 4978, 22, 26, 121)]
    public void Real_files_have_the_published_utterance_intent_and_tag_counts(string file, int utterances, int intents, int multiIntent, int tags)
    {
        var records = ReadShared(file).Records;
        Assert.Equal(utterances, records.Count);
        Assert.Equal(intents, records.Select(r => r.Intent).Distinct().Count());
        Assert.Equal(multiIntent, records.Count(r => r.Intents.Length > 1));
        Assert.Equal(tags, records.SelectMany(r => r.Tags).Distinct().Count());
        Assert.All(records, r => Assert.Equal(r.Words.Length, r.Tags.Length));
        Assert.Equal("atis_flight", records.GroupBy(r => r.Intent).MaxBy(g => g.Count())!.Key);
    }

    [Fact]
    public void Training_tags_name_79_slot_types()
    {
        var slotTypes = ReadShared("atis-2.train.w-intent.iob").Records.SelectMany(r => r.Tags).Where(t => t != "O").Select(t => t[2..]).Distinct();
        Assert.Equal(79, slotTypes.Count());
    }

    [Fact]
    public void The_space_after_the_tab_on_the_first_line_is_tolerated()
    {
        var first = ReadShared("atis.train.w-intent.iob").Records[0];
        Assert.Equal("i want to fly from boston at 838 am and arrive in denver at 1110 in the morning".Split(' '), first.Words);
        Assert.Equal("B-fromloc.city_name", first.Tags[5]);
        Assert.Equal("atis_flight", first.Intent);
    }

    [Fact]
    public void Malformed_utterances_are_reported_with_file_and_line()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("a.iob",
            "BOS show flights EOS\tO O O atis_flight\n" +
            "BOS show flights EOS\tO O atis_flight\n" +      // a tag short
            "show flights\tO O\n" +                          // no BOS/EOS
            "BOS cheap fares EOS\tO B-cost X-bad atis_airfare\n" +
            "BOS boston EOS\tO B-city O\n" +                 // no intent at EOS
            "BOS a b EOS O O O atis_flight\n" +              // no TAB
            "BOS list EOS\tO O atis_flight#atis_airfare\n");
        var result = AtisReader.Read(path);
        Assert.Equal([1, 7], result.Records.Select(r => r.LineNumber));
        Assert.Equal(["atis_flight", "atis_airfare"], result.Records[1].Intents);
        Assert.Equal([2, 3, 4, 5, 6], result.Skipped.Select(s => s.LineNumber));
        Assert.Contains("2 words but 1 tags", result.Skipped[0].Reason);
        Assert.Contains("'X-bad'", result.Skipped[2].Reason);
        Assert.Contains("intent", result.Skipped[3].Reason);
        var error = Assert.Throws<DataFormatException>(() => AtisReader.Read(path, strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
    }
}
