using System.Runtime.Intrinsics.X86;

namespace RecurrentSharp.Kernels;

/// <summary>
/// The sizes of one core's data caches, read once from the CPU, so that the GEMM's blocks and the recurrent layers'
/// batch split fit the machine they run on (machines differ: 2 MB of L2 per core on the Xeons we measured, 1 MB on
/// the EPYCs, 48 KB or 32 KB of L1).
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
/// is not there (not x86) or says nothing, the sizes are the common ones: 32 KB of L1, 1 MB of L2.
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
}
