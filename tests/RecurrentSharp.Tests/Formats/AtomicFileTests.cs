using RecurrentSharp.Formats;
using RecurrentSharp.Tests.Data;

namespace RecurrentSharp.Tests.Formats;

public class AtomicFileTests
{
    [Fact]
    public void A_folder_in_the_way_is_reported_and_nothing_is_left_behind()
    {
        using var temp = new TemporaryFolder();
        string target = Path.Combine(temp.Root, "model.safetensors");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "keep.txt"), "still here");

        var error = Assert.Throws<FileWriteException>(() => AtomicFile.Write(target, s => s.Write([1, 2, 3])));

        Assert.Contains(target, error.Message);
        Assert.Contains("unchanged", error.Message);
        Assert.Equal("still here", File.ReadAllText(Path.Combine(target, "keep.txt")));
        Assert.Empty(Directory.GetFiles(temp.Root));   // no temporary file remains
    }

    [Fact]
    public void A_file_where_the_folder_should_be_is_reported_and_the_file_is_kept()
    {
        using var temp = new TemporaryFolder();
        string blocker = Path.Combine(temp.Root, "runs");
        File.WriteAllText(blocker, "not a folder");

        var error = Assert.Throws<FileWriteException>(() => AtomicFile.Write(Path.Combine(blocker, "ckpt.safetensors"), s => s.Write([1])));

        Assert.Contains("ckpt.safetensors", error.Message);
        Assert.Equal("not a folder", File.ReadAllText(blocker));
    }

    [Fact]
    public void A_successful_write_replaces_the_old_contents_whole()
    {
        using var temp = new TemporaryFolder();
        string target = Path.Combine(temp.Root, "a.bin");
        AtomicFile.Write(target, s => s.Write([1, 2, 3, 4]));
        AtomicFile.Write(target, s => s.Write([9]));
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(target));
        Assert.Equal(new[] { target }, Directory.GetFiles(temp.Root));
    }
}
