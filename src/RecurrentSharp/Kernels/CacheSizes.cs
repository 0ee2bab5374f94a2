using System.Runtime.Intrinsics.X86;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The sizes of one core's data caches, read once from the CPU, so that the GEMM's blocks and the recurrent layers'
/// batch split fit the machine they run on (machines differ: 2 MB of L2 per core on the Xeons we measured, 1 MB or
/// 512 KB on the EPYCs, 48 KB or 32 KB of L1).
/// </summary>
/// <remarks>
/// Read with CPUID's deterministic cache parameters: leaf 4 on Intel, leaf 0x8000001D on AMD (the same layout). Each
/// sub-leaf describes one cache:
/// <code>
///   EAX[4:0]  type (1 data, 2 instruction, 3 unified; 0 = no more caches)     EAX[7:5] level
///   EBX[11:0] line size − 1    EBX[21:12] partitions − 1    EBX[31:22] ways − 1     ECX sets − 1
///   size = ways · partitions · line size · sets
/// </code>
/// A virtual machine reports what its hypervisor exposes, which is what the guest's caches behave like. Where CPUID
/// is not there (not x86, or a process started with DOTNET_EnableHWIntrinsic=0) or says nothing, the sizes are the ones
/// Linux lists for cpu0 under /sys/devices/system/cpu/cpu0/cache, and where that is missing too (not Linux), the common
/// ones: 32 KB of L1, 1 MB of L2. (Before the /sys fallback, a process with SIMD switched off on a 48 KB-L1 machine
/// blocked its GEMM for 32 KB.)
/// </remarks>
internal static class CacheSizes
{
    /// <summary>Bytes of level-1 data cache per core.</summary>
    public static long L1Data { get; }

    /// <summary>Bytes of level-2 cache per core.</summary>
    public static long L2 { get; }

    /// <summary>The sizes used where the CPU does not report its own.</summary>
    public const long DefaultL1Data = 32 << 10, DefaultL2 = 1 << 20;

    static CacheSizes()
    {
        var (l1, l2) = Read();
        if (l1 <= 0 || l2 <= 0)
        {
            var (listedL1, listedL2) = ReadLinuxListing();
            if (l1 <= 0) l1 = listedL1;
            if (l2 <= 0) l2 = listedL2;
        }
        L1Data = l1 > 0 ? l1 : DefaultL1Data;
        L2 = l2 > 0 ? l2 : DefaultL2;
    }

    /// <summary>L1 data and L2 sizes from CPUID, 0 for a level it does not describe.</summary>
    private static (long L1Data, long L2) Read()
    {
        if (!X86Base.IsSupported) return (0, 0);
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;   // "AuthenticAMD"
        int leaf = amd ? unchecked((int)0x8000001D) : 4;
        // The leaf must exist: the highest basic (0) or extended (0x80000000) leaf is at least it.
        var (highest, _, _, _) = X86Base.CpuId(amd ? unchecked((int)0x80000000) : 0, 0);
        if ((uint)highest < (uint)leaf) return (0, 0);

        long l1 = 0, l2 = 0;
        for (int index = 0; index < 16; index++)
        {
            var (eax, b, c, _) = X86Base.CpuId(leaf, index);
            int type = eax & 0x1F, level = (eax >> 5) & 0x7;
            if (type == 0) break;
            long size = (long)(((uint)b >> 22) + 1) * ((((uint)b >> 12) & 0x3FF) + 1) * (((uint)b & 0xFFF) + 1) * ((uint)c + 1);
            if (level == 1 && type == 1) l1 = size;
            else if (level == 2 && type is 1 or 3) l2 = size;
        }
        return (l1, l2);
    }

    /// <summary>
    /// L1 data and L2 sizes of cpu0 as Linux lists them (<c>index*/level</c>, <c>type</c>, <c>size</c> such as "48K"),
    /// 0 for a level it does not list or where there is no such folder or it cannot be read.
    /// </summary>
    internal static (long L1Data, long L2) ReadLinuxListing(string root = "/sys/devices/system/cpu/cpu0/cache")
    {
        long l1 = 0, l2 = 0;
        try
        {
            if (!Directory.Exists(root)) return (0, 0);
            foreach (var index in Directory.GetDirectories(root, "index*"))
            {
                string level = File.ReadAllText(Path.Combine(index, "level")).Trim();
                string type = File.ReadAllText(Path.Combine(index, "type")).Trim();
                long size = ParseSize(File.ReadAllText(Path.Combine(index, "size")).Trim());
                if (level == "1" && type == "Data") l1 = size;
                else if (level == "2" && type is "Unified" or "Data") l2 = size;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
        return (l1, l2);
    }

    /// <summary>"48K", "2M" or a plain byte count as bytes; 0 when it is none of these.</summary>
    internal static long ParseSize(string text)
    {
        int shift = text.EndsWith('K') ? 10 : text.EndsWith('M') ? 20 : 0;
        var digits = shift > 0 ? text[..^1] : text;
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) && value < 1L << 40
            ? value << shift : 0;
    }
}
