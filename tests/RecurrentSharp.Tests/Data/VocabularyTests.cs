using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class VocabularyTests
{
    private static readonly string[][] Sentences =
    [
        ["the", "cat", "sat"],
        ["the", "dog", "sat"],
        ["the", "cat", "ran"],
    ];

    [Fact]
    public void Reserved_ids_come_first_then_tokens_by_frequency_then_ordinal()
    {
        var vocabulary = Vocabulary.Build(Sentences);
        Assert.Equal(["<pad>", "<unk>", "the", "cat", "sat", "dog", "ran"], vocabulary.Tokens);
        Assert.Equal(0, vocabulary.IdOf("<pad>"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.IdOf("zebra"));
        Assert.False(vocabulary.HasBeginEnd);
        Assert.Throws<InvalidOperationException>(() => vocabulary.BeginId);
    }

    [Fact]
    public void Min_count_and_max_size_cut_rare_tokens()
    {
        Assert.Equal(["<pad>", "<unk>", "the", "cat", "sat"], Vocabulary.Build(Sentences, minCount: 2).Tokens);
        Assert.Equal(["<pad>", "<unk>", "<bos>", "<eos>", "the"], Vocabulary.Build(Sentences, maxSize: 5, withBeginEnd: true).Tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Sentences, maxSize: 3, withBeginEnd: true));
    }

    [Fact]
    public void Encode_and_decode_round_trip_with_begin_and_end()
    {
        var vocabulary = Vocabulary.Build(Sentences, withBeginEnd: true);
        int[] ids = vocabulary.Encode(["the", "zebra", "ran"], addBegin: true, addEnd: true);
        Assert.Equal([2, vocabulary.IdOf("the"), 1, vocabulary.IdOf("ran"), 3], ids);
        Assert.Equal(["the", "<unk>", "ran"], vocabulary.Decode([.. ids, 0, 0]));
        Assert.Equal(["the"], vocabulary.Decode([vocabulary.IdOf("the"), vocabulary.EndId, vocabulary.IdOf("cat")]));
    }

    [Fact]
    public void Json_round_trip_keeps_every_id()
    {
        var vocabulary = Vocabulary.Build(Sentences, withBeginEnd: true);
        var loaded = Vocabulary.FromJson(vocabulary.ToJson());
        Assert.Equal(vocabulary.Tokens, loaded.Tokens);
        Assert.True(loaded.HasBeginEnd);

        using var temp = new TemporaryFolder();
        string path = Path.Combine(temp.Root, "vocab.json");
        vocabulary.Save(path);
        Assert.Equal(vocabulary.Tokens, Vocabulary.Load(path).Tokens);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"format":"other"}""", "not a RecurrentSharp vocabulary")]
    [InlineData("""{"format":"recurrentsharp-vocabulary","version":2,"beginEnd":false,"tokens":["<pad>","<unk>"]}""", "version 2")]
    [InlineData("""{"format":"recurrentsharp-vocabulary","version":1,"beginEnd":false,"tokens":["<unk>","<pad>"]}""", "must start with <pad>, <unk>")]
    [InlineData("""{"format":"recurrentsharp-vocabulary","version":1,"beginEnd":false,"tokens":["<pad>","<unk>","a","a"]}""", "'a' appears twice")]
    [InlineData("""{"format":"recurrentsharp-vocabulary","version":1,"beginEnd":false,"tokens":["<pad>","<unk>",3]}""", "malformed vocabulary")]
    public void Bad_vocabulary_json_is_a_model_format_error_naming_its_source(string json, string expected)
    {
        var error = Assert.Throws<ModelFormatException>(() => Vocabulary.FromJson(json, "model.safetensors"));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Character_vocabulary_keeps_surrogate_pairs_whole_and_rejects_multi_character_tokens()
    {
        string text = "床前明月光\U00029170\U00029170a";
        var vocabulary = CharacterVocabulary.Build(text);
        Assert.Equal("\U00029170", vocabulary.Tokens.TokenOf(2)); // the most frequent character
        Assert.Equal(new System.Text.Rune(0x29170), vocabulary.CharacterOf(2));
        Assert.Equal(8, vocabulary.Encode(text).Length);
        Assert.Equal("明\uFFFD", vocabulary.Decode(vocabulary.Encode("明X")));
        Assert.Equal(vocabulary.Tokens.Tokens, CharacterVocabulary.FromJson(vocabulary.ToJson()).Tokens.Tokens);

        string bad = Vocabulary.FromTokens(["ab"]).ToJson();
        Assert.Contains("not exactly one Unicode character", Assert.Throws<ModelFormatException>(() => CharacterVocabulary.FromJson(bad)).Message);
    }

    [Theory]
    [InlineData("Don't STOP me now!!", new[] { "don't", "stop", "me", "now" })]
    [InlineData("it's the 21st century's \" conan \" , jean-claud", new[] { "it's", "the", "21st", "century's", "conan", "jean", "claud" })]
    [InlineData("'cause rock'n'roll' ain\u2019t dead", new[] { "cause", "rock'n'roll", "ain't", "dead" })]
    [InlineData("Call 08712460324 &lt;#&gt; now", new[] { "call", "08712460324", "lt", "gt", "now" })]
    [InlineData("Café naïve ÉTÉ", new[] { "café", "naïve", "été" })]
    [InlineData("''  '", new string[0])]
    public void Word_tokenizer_lowercases_and_keeps_inner_apostrophes(string text, string[] expected)
    {
        Assert.Equal(expected, WordTokenizer.Tokenize(text));
    }

    [Theory]
    [InlineData("WIN £1000!! Call 0871", new[] { "win", "£", "1000", "!", "!", "call", "0871" })]
    [InlineData("don't 'quote' me", new[] { "don't", "'", "quote", "'", "me" })]
    [InlineData("a  b\t\n", new[] { "a", "b" })]
    public void Word_tokenizer_keeps_each_symbol_as_a_token_when_asked(string text, string[] expected)
    {
        Assert.Equal(expected, WordTokenizer.Tokenize(text, keepSymbols: true));
    }

    [Fact]
    public void Sms_vocabulary_built_from_tokenized_messages_covers_the_training_text()
    {
        var messages = SmsSpamReader.Read(SharedFolder.Path("sms-spam", "SMSSpamCollection")).Records;
        var tokenized = messages.Select(m => WordTokenizer.Tokenize(m.Text)).ToArray();
        var vocabulary = Vocabulary.Build(tokenized, minCount: 2);
        Assert.Equal("i", vocabulary.TokenOf(2)); // the commonest word of the collection
        var counts = tokenized.SelectMany(t => t).CountBy(t => t).ToDictionary();
        Assert.Equal(counts.Count(c => c.Value >= 2) + 2, vocabulary.Count);
        Assert.All(counts, c => Assert.Equal(c.Value >= 2, vocabulary.Contains(c.Key)));
        int unknown = tokenized.SelectMany(t => vocabulary.Encode(t)).Count(id => id == Vocabulary.UnknownId);
        Assert.Equal(counts.Count(c => c.Value == 1), unknown); // each singleton (phone numbers, typos) becomes <unk> once
    }
}
