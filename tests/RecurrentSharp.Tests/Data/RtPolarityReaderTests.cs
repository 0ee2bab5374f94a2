using System.Text;
using RecurrentSharp.Data;

namespace RecurrentSharp.Tests.Data;

public class RtPolarityReaderTests
{
    private static readonly string Positive = SharedFolder.Path("sentiment", "rt-polaritydata", "rt-polarity.pos");
    private static readonly string Negative = SharedFolder.Path("sentiment", "rt-polaritydata", "rt-polarity.neg");

    [Fact]
    public void Real_files_hold_5331_positive_and_5331_negative_snippets()
    {
        var result = RtPolarityReader.Read(Positive, Negative, strict: true);
        Assert.Equal(10_662, result.Records.Count);
        Assert.Equal(5331, result.Records.Count(r => r.Label == 1));
        Assert.Equal(5331, result.Records.Count(r => r.Label == 0));
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Windows_1252_bytes_decode_to_their_characters_and_0x85_does_not_split_lines()
    {
        var records = RtPolarityReader.Read(Positive, Negative).Records;
        // 101 lines of each file hold bytes >= 0x80 (SOURCES.md); decoded, each holds a non-ASCII character.
        Assert.Equal(101, records.Count(r => r.Label == 1 && r.Text.Any(c => c > 0x7F)));
        Assert.Equal(101, records.Count(r => r.Label == 0 && r.Text.Any(c => c > 0x7F)));
        Assert.Contains(records, r => r.Text.Contains('é'));
        Assert.Contains(records, r => r.Text.Contains('\u2026')); // byte 0x85, the ellipsis
        Assert.Contains(records, r => r.Text.Contains('\u2014')); // byte 0x97, the em dash
        Assert.DoesNotContain(records, r => r.Text.Contains('\u0085') || r.Text.Contains('\uFFFD'));
    }

    [Fact]
    public void The_1252_table_differs_from_latin1_only_in_0x80_to_0x9F()
    {
        Assert.Equal('\u20AC', Windows1252.ToChar(0x80));
        Assert.Equal('\u2026', Windows1252.ToChar(0x85));
        Assert.Equal('\u0178', Windows1252.ToChar(0x9F));
        for (int b = 0; b < 256; b++)
            if (b is < 0x80 or > 0x9F) Assert.Equal((char)b, Windows1252.ToChar((byte)b));
        Assert.Equal("caf\u00E9 \u2013 ok", Windows1252.Decode([.. "caf"u8, 0xE9, .. " "u8, 0x96, .. " ok"u8]));
    }

    [Fact]
    public void A_utf8_reencoded_copy_reads_to_the_same_text()
    {
        using var temp = new TemporaryFolder();
        string text = "un film \u00E9mouvant \u2026 vraiment\nthe end \u2014 finally\n";
        string utf8 = temp.Write("utf8.pos", Encoding.UTF8.GetBytes(text));
        var records = RtPolarityReader.ReadFile(utf8, label: 1).Records;
        Assert.Equal(["un film \u00E9mouvant \u2026 vraiment", "the end \u2014 finally"], records.Select(r => r.Text));
    }

    [Fact]
    public void An_empty_line_is_malformed_with_its_number()
    {
        using var temp = new TemporaryFolder();
        string path = temp.Write("x.neg", "dull\n\nboring\n");
        var lenient = RtPolarityReader.ReadFile(path, label: 0);
        Assert.Equal(["dull", "boring"], lenient.Records.Select(r => r.Text));
        Assert.Equal(2, Assert.Single(lenient.Skipped).LineNumber);
        var error = Assert.Throws<DataFormatException>(() => RtPolarityReader.ReadFile(path, 0, strict: true));
        Assert.Contains($"{path}, line 2", error.Message);
    }
}
