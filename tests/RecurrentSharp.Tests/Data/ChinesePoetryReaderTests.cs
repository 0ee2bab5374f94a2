using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class ChinesePoetryReaderTests
{
    private static readonly string[] TangFiles = ["poet.tang.0.json", "poet.tang.1000.json", "poet.tang.2000.json", "poet.tang.3000.json", "poet.tang.4000.json"];

    [Fact]
    public void Five_quan_tang_shi_files_hold_5003_poems_and_309675_characters_of_verse()
    {
        var poems = TangFiles.SelectMany(f => ChinesePoetryReader.Read(SharedFolder.Path("text", "chinese-poetry", f), strict: true).Records).ToList();
        Assert.Equal(5003, poems.Count);
        Assert.Equal(309_675, poems.Sum(p => TextCorpusReader.CountRunes(p.Body)));
        var first = poems[0];
        Assert.Equal(("帝京篇十首 一", "太宗皇帝", 2), (first.Title, first.Author, first.LineNumber));
        Assert.StartsWith("秦川雄帝宅，函谷壯皇居。綺殿千尋起，離宮百雉餘。", first.Body);
    }

    [Fact]
    public void Characters_beyond_the_BMP_stay_whole_through_the_character_vocabulary()
    {
        var poems = ChinesePoetryReader.Read(SharedFolder.Path("text", "chinese-poetry", "poet.tang.0.json")).Records;
        string text = ChinesePoetryReader.ToTrainingText(poems);
        Assert.Equal(poems.Count, text.Count(c => c == '\n'));
        var vocabulary = CharacterVocabulary.Build(text);
        Assert.True(vocabulary.Tokens.Contains("\U00029170")); // 𩅰, a surrogate pair in UTF-16, in poem 339
        Assert.DoesNotContain(vocabulary.Tokens.Tokens, t => t.Length == 1 && char.IsSurrogate(t[0]));
        int[] ids = vocabulary.Encode(text);
        Assert.Equal(TextCorpusReader.CountRunes(text), ids.Length);
        Assert.Equal(text, vocabulary.Decode(ids));
    }

    [Fact]
    public void Tang_shi_san_bai_shou_nested_content_gives_320_poems()
    {
        var poems = ChinesePoetryReader.Read(SharedFolder.Path("text", "chinese-poetry", "tangshisanbaishou.json"), strict: true).Records;
        Assert.Equal(320, poems.Count);
        Assert.Equal(("行宮", "元稹", 7), (poems[0].Title, poems[0].Author, poems[0].LineNumber));
        Assert.Equal("寥落古行宮，宮花寂寞紅。白頭宮女在，閒坐說玄宗。", poems[0].Body);
    }

    [Fact]
    public void A_poem_without_lines_is_reported_on_the_line_where_it_opens()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("p.json", """
            [
              {"author": "A", "title": "ok", "paragraphs": ["一二三。"]},
              {"author": "B", "title": "no lines"},
              {"author": "C", "title": "empty",
               "paragraphs": []},
              {"author": "D", "title": "bad", "paragraphs": [1]}
            ]
            """);
        var result = ChinesePoetryReader.Read(path);
        Assert.Equal("ok", Assert.Single(result.Records).Title);
        Assert.Equal([3, 4, 6], result.Skipped.Select(s => s.LineNumber));
        Assert.Contains("no 'paragraphs'", result.Skipped[0].Reason);
        var error = Assert.Throws<DataFormatException>(() => ChinesePoetryReader.Read(path, strict: true));
        Assert.Contains($"{path}, line 3", error.Message);
    }

    [Fact]
    public void Broken_json_names_its_line()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("p.json", "[\n {\"author\": \"A\",\n  \"paragraphs\": [\"x\",,]}\n]\n");
        var error = Assert.Throws<DataFormatException>(() => ChinesePoetryReader.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Contains("invalid JSON", error.Message);
    }
}
