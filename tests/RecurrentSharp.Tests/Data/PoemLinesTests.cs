using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

/// <summary>PoemLines: a poem's paragraphs cut into lines at the sentence punctuation, empty lines and long lines counted.</summary>
public class PoemLinesTests
{
    private static Poem Poem(params string[] paragraphs) => new("t", "a", paragraphs, 1);

    [Fact]
    public void Cuts_at_the_punctuation_and_counts_empty_and_truncated_lines()
    {
        var split = PoemLines.Split([Poem("寥落古行宮，宮花寂寞紅。", "白頭宮女在，，閒坐說玄宗。"), Poem("。", ""), Poem("一二三四五六七八九十十一，好。")], maxLength: 10);
        Assert.Equal(2, split.Poems.Count);
        Assert.Equal(new[] { "寥落古行宮", "宮花寂寞紅", "白頭宮女在", "閒坐說玄宗" }, split.Poems[0].Lines);
        Assert.Equal("寥落古行宮/宮花寂寞紅/白頭宮女在/閒坐說玄宗", split.Poems[0].Joined);
        Assert.Equal(new[] { "一二三四五六七八九十", "好" }, split.Poems[1].Lines);
        Assert.Equal(2, split.EmptyLines);   // "，，" and the lone "。"
        Assert.Equal(1, split.Truncated);
        Assert.Equal(1, split.EmptyPoems);
    }

    [Fact]
    public void A_typed_poem_may_separate_its_lines_by_slashes_or_new_lines_and_needs_no_final_mark()
    {
        int empty = 0, truncated = 0;
        Assert.Equal(new[] { "床前明月光", "疑是地上霜", "舉頭望明月" }, PoemLines.Lines("床前明月光/疑是地上霜\n舉頭望明月", 10, ref empty, ref truncated));
        Assert.Equal(0, empty);
        Assert.Equal(0, truncated);
    }
}
