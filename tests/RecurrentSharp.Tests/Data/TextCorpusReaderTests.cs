using System.Text;
using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class TextCorpusReaderTests
{
    [Fact]
    public void Tiny_shakespeare_has_1115394_characters_of_65_kinds()
    {
        var corpus = TextCorpusReader.Read(SharedFolder.Path("text", "tinyshakespeare", "input.txt"), strict: true);
        Assert.Equal(1_115_394, TextCorpusReader.CountRunes(corpus.Text));
        Assert.Equal(40_000, corpus.Text.Count(c => c == '\n'));
        var vocabulary = CharacterVocabulary.Build(corpus.Text);
        Assert.Equal(65 + 2, vocabulary.Count); // 65 characters plus <pad> and <unk>
        Assert.Equal(corpus.Text, vocabulary.Decode(vocabulary.Encode(corpus.Text)));
    }

    [Fact]
    public void Jay_chou_lyrics_have_63282_characters_of_2583_kinds()
    {
        var corpus = TextCorpusReader.Read(SharedFolder.Path("text", "jaychou_lyrics", "jaychou_lyrics.txt"), strict: true);
        Assert.Equal(63_282, TextCorpusReader.CountRunes(corpus.Text));
        Assert.Equal(5_819, corpus.Text.Count(c => c == '\n'));
        Assert.Equal(2_583 + 2, CharacterVocabulary.Build(corpus.Text).Count);
        Assert.StartsWith("想要有直升机\n", corpus.Text);
    }

    [Fact]
    public void Invalid_utf8_lines_are_reported_and_left_out()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("t.txt", [.. "first\nsec"u8, 0xFF, .. "ond\nthird\n"u8]);
        var lenient = TextCorpusReader.Read(path);
        Assert.Equal("first\nthird\n", lenient.Text);
        Assert.Equal(2, Assert.Single(lenient.Skipped).LineNumber);
        var error = Assert.Throws<DataFormatException>(() => TextCorpusReader.Read(path, strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
        Assert.Contains("0xFF", error.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_not_text()
    {
        using var temp = new TemporaryFolder();
        Assert.Equal("abc", TextCorpusReader.Read(temp.Write("bom.txt", [0xEF, 0xBB, 0xBF, .. "abc"u8])).Text);
        Assert.Equal(1, TextCorpusReader.CountRunes("\U00029170")); // one character, two UTF-16 units
        Assert.Equal(2, Encoding.UTF8.GetString("\U00029170"u8).Length);
    }
}
