using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>The cache sizes read from CPUID against the ones Linux publishes, and the GEMM blocks derived from them.</summary>
[Trait("Category", "Kernels")]
public class CacheSizesTests
{
    /// <summary>cpu0's cache of the given level and type from /sys (bytes), or null where Linux does not list it.</summary>
    private static long? FromSysfs(int level, params string[] types)
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return null;
        foreach (var index in Directory.GetDirectories(root, "index*"))
        {
            if (File.ReadAllText(Path.Combine(index, "level")).Trim() != level.ToString()) continue;
            if (!types.Contains(File.ReadAllText(Path.Combine(index, "type")).Trim())) continue;
            var size = File.ReadAllText(Path.Combine(index, "size")).Trim();   // "1024K"
            return long.Parse(size.TrimEnd('K', 'M')) << (size.EndsWith('M') ? 20 : size.EndsWith('K') ? 10 : 0);
        }
        return null;
    }

    [Fact]
    public void Level_one_data_and_level_two_match_what_linux_reports_for_cpu0()
    {
        var l1 = FromSysfs(1, "Data");
        var l2 = FromSysfs(2, "Unified", "Data");
        if (l1 is null || l2 is null)
        {
            // No /sys listing (not Linux): the sizes must still be plausible ones.
            Assert.InRange(CacheSizes.L1Data, 16 << 10, 1 << 20);
            Assert.InRange(CacheSizes.L2, 128 << 10, 64 << 20);
            return;
        }
        Assert.Equal(l1.Value, CacheSizes.L1Data);
        Assert.Equal(l2.Value, CacheSizes.L2);
    }

    [Fact]
    public void Without_cpuid_the_sizes_come_from_the_linux_listing_of_a_folder()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cache-listing-{Guid.NewGuid():N}");
        try
        {
            foreach (var (name, level, type, size) in new[] { ("index0", "1", "Data", "48K"), ("index1", "1", "Instruction", "32K"), ("index2", "2", "Unified", "2M"), ("index3", "3", "Unified", "32768K") })
            {
                Directory.CreateDirectory(Path.Combine(root, name));
                File.WriteAllText(Path.Combine(root, name, "level"), level + "\n");
                File.WriteAllText(Path.Combine(root, name, "type"), type + "\n");
                File.WriteAllText(Path.Combine(root, name, "size"), size + "\n");
            }
            Assert.Equal((48L << 10, 2L << 20), CacheSizes.ReadLinuxListing(root));
            Assert.Equal((0L, 0L), CacheSizes.ReadLinuxListing(Path.Combine(root, "missing")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("48K", 48L << 10)]
    [InlineData("2M", 2L << 20)]
    [InlineData("4096", 4096L)]
    [InlineData("", 0L)]
    [InlineData("-1K", 0L)]
    [InlineData("lots", 0L)]
    public void Listed_sizes_parse_as_bytes_and_anything_else_as_zero(string text, long bytes)
        => Assert.Equal(bytes, CacheSizes.ParseSize(text));

    [Fact]
    public void Gemm_blocks_follow_the_caches()
    {
        // The A micro-panel (KC x MR floats) fills at most 3/8 of L1; KC is a multiple of 64 in [128, 512].
        foreach (var (kc, mr) in new[] { (GemmDriver<MicroKernel256>.DepthBlock, MicroKernel256.Rows), (GemmDriver<MicroKernel512>.DepthBlock, MicroKernel512.Rows) })
        {
            Assert.Equal(0, kc % 64);
            Assert.InRange(kc, 128, 512);
            Assert.True(kc == 128 || (long)kc * mr * sizeof(float) <= CacheSizes.L1Data * 3 / 8, $"KC {kc} x MR {mr} overflows 3/8 of {CacheSizes.L1Data} bytes");
        }
        Assert.Equal(CacheSizes.L2 / 2, GemmDriver<MicroKernel256>.BBlockBytes);
        Assert.Equal(8 * CacheSizes.L2, RecurrentSharp.Recurrent.Fused.DirectionPass.MaxSplitWeightBytes);
    }
}
