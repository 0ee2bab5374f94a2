using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class SentencePairReaderTests
{
    [Fact]
    public void Real_english_mandarin_file_has_21116_pairs()
    {
        var pairs = SentencePairReader.Read(SharedFolder.Path("seq2seq", "cmn.txt"), strict: true).Records;
        Assert.Equal(21_116, pairs.Count);
        Assert.Equal(("Hi.", "嗨。"), (pairs[0].Source, pairs[0].Target));
        Assert.Equal(("Hi.", "你好。"), (pairs[1].Source, pairs[1].Target));
        var targetCharacters = CharacterVocabulary.Build(string.Concat(pairs.Select(p => p.Target)), withBeginEnd: true);
        Assert.Equal(3, targetCharacters.Tokens.EndId);
        int[] ids = targetCharacters.Encode(pairs[0].Target, addBegin: true, addEnd: true);
        Assert.Equal(pairs[0].Target, targetCharacters.Decode(ids));
    }

    [Fact]
    public void A_third_attribution_column_is_ignored_and_other_shapes_are_malformed()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("p.txt",
            "Go.\t走。\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #333 (Ha)\n" +
            "Only one column\n" +
            "Hi.\t\n" +
            "a\tb\tc\td\n" +
            "Run!\t跑！\n");
        var result = SentencePairReader.Read(path);
        Assert.Equal([("Go.", "走。"), ("Run!", "跑！")], result.Records.Select(p => (p.Source, p.Target)));
        Assert.Equal([2, 3, 4], result.Skipped.Select(s => s.LineNumber));
        Assert.Contains("empty target", result.Skipped[1].Reason);
        var error = Assert.Throws<DataFormatException>(() => SentencePairReader.Read(path, strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
    }
}
