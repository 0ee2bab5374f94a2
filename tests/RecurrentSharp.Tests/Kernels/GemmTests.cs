using RecurrentSharp.Kernels;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// Gemm against a naive triple loop (double accumulation), on every microkernel this process can
/// run: the SIMD paths up to the one the JIT accelerates, and the scalar one. Child processes with
/// SIMD switched off (<see cref="GemmPathSelectionTests"/>) cover the run-time choice itself. Some tests set the drivers' static
/// knobs (ABlockBytes, ReadTransposedAInPlace) for a while: products that other test classes run meanwhile get the same results
/// either way, and the counters the tests read only ever grow, so the classes may still run in parallel.
/// </summary>
[Trait("Category", "Kernels")]
public class GemmTests
{
    /// <summary>The kernels at or below the active one (a wider one would run in slow software emulation).</summary>
    internal static GemmPath[] Paths => Enum.GetValues<GemmPath>().Where(p => p <= Gemm.ActivePath).ToArray();

    private static readonly int[][] Sizes =
    [
        [1, 1, 1], [7, 13, 5], [1000, 3, 17], [3, 1000, 17], [33, 65, 129], [64, 48, 300],
        [1, 1024, 256], [130, 1, 70], [12, 32, 9], [13, 33, 1], [2, 70, 600], [50, 400, 128],
        [20, 40, 1100],   // deeper than any KC (128 to 512): later depth blocks add onto C
        [9, 40, 37], [32, 48, 513],   // a last row panel of 3 or 2 rows (AVX2's paired tile), with an odd depth
        [11, 20, 23],   // AVX2 (6-row panels): a last panel of 5 rows, packed as a 4x4 block and one row alone (6 rows: 4x4 and 2x4);
                        // AVX-512 (12-row panels): one panel of 11 rows, two 4x4 blocks, a 2x4 block and one row
        [26, 70, 37],   // AVX-512: panels of 10, 10 and 6 rows instead of 12, 12 and 2 (GemmDriver.PanelRows)
    ];

    [Theory]
    [InlineData(26, 10)]     // 12 + 12 + 2 would leave a 2-row tile: 10 + 10 + 6
    [InlineData(50, 10)]     // 4 x 12 + 2: 5 x 10
    [InlineData(13, 8)]      // 12 + 1: 8 + 5
    [InlineData(24, 12)]     // whole panels
    [InlineData(20, 12)]     // 12 + 8: a last panel of 4 or more rows stays
    [InlineData(6398, 12)]   // many panels: near-equal heights round back up to 12
    [InlineData(2, 12)]      // one panel
    public void Short_last_row_panels_are_evened_out_on_the_avx512_kernel(int m, int rows)
        => Assert.Equal(rows, GemmDriver<MicroKernel512>.PanelRows(m));

    public static TheoryData<string, int, int, int, bool, bool> Shapes()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        foreach (var path in Paths)
            foreach (var s in Sizes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(path.ToString(), s[0], s[1], s[2], ta, tb);
        return data;
    }

    /// <summary>Random operands for C (m x n) = op(A) op(B), each stored with its row stride padded by <paramref name="pad"/>.</summary>
    private sealed class Problem
    {
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly bool TransposeA, TransposeB;
        public readonly float[] A, B, C;

        public Problem(int m, int n, int k, bool transposeA, bool transposeB, int pad = 0)
        {
            (M, N, K, TransposeA, TransposeB) = (m, n, k, transposeA, transposeB);
            var r = new RandomGenerator((ulong)(m * 31 + n * 7 + k * 3 + (transposeA ? 1 : 0) + (transposeB ? 2 : 0) + pad * 5));
            Lda = (transposeA ? m : k) + pad;
            Ldb = (transposeB ? k : n) + pad;
            Ldc = n + pad;
            A = Tensor.RandomNormal(r, 0, 1, Math.Max(1, (transposeA ? k : m) * Lda)).ToArray();
            B = Tensor.RandomNormal(r, 0, 1, Math.Max(1, (transposeB ? n : k) * Ldb)).ToArray();
            C = Tensor.RandomNormal(r, 0, 1, Math.Max(1, m * Ldc)).ToArray();
        }

        public float OpA(int i, int p) => TransposeA ? A[p * Lda + i] : A[i * Lda + p];
        public float OpB(int p, int j) => TransposeB ? B[j * Ldb + p] : B[p * Ldb + j];

        /// <summary>alpha·op(A)·op(B) + beta·C in double, with C's padding columns left as they were.</summary>
        public float[] Expected(float alpha, float beta)
        {
            var expected = (float[])C.Clone();
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++)
                {
                    double s = 0;
                    for (int p = 0; p < K; p++) s += (double)OpA(i, p) * OpB(p, j);
                    expected[i * Ldc + j] = (float)(alpha * s + (beta == 0f ? 0 : beta * (double)C[i * Ldc + j]));
                }
            return expected;
        }

        public void Multiply(GemmPath path, int threads, float alpha, float beta) =>
            Gemm.Multiply(path, threads, TransposeA, TransposeB, M, N, K, alpha, A, Lda, B, Ldb, beta, C, Ldc);

        public string Describe(GemmPath path) => $"{path} {M}x{N}x{K} tA={TransposeA} tB={TransposeB} lda={Lda} ldb={Ldb} ldc={Ldc}";
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_matches_a_naive_triple_loop(string pathName, int m, int n, int k, bool transposeA, bool transposeB)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        // An A stored transposed is read in place or packed depending on the machine's L2: both ways, on every machine
        foreach (bool inPlace in transposeA ? new[] { false, true } : [ReadTransposedAInPlace(path)])
        {
            var problem = new Problem(m, n, k, transposeA, transposeB);
            var expected = problem.Expected(0.75f, -0.5f);
            long before = TransposedCount(path, inPlace);
            using (TransposedAInPlace(inPlace))
                problem.Multiply(path, 1, 0.75f, -0.5f);
            TensorAssert.Close(expected, problem.C, 1e-5 * Math.Sqrt(k), $"{problem.Describe(path)} in place={inPlace}");
            if (transposeA && m > 1 && n > 0 && k > 0)
                Assert.True(TransposedCount(path, inPlace) > before, $"{problem.Describe(path)}: the transposed A was {(inPlace ? "read in place" : "packed")}");
        }
    }

    /// <summary>How many products so far read a stored-transposed A in place (or, with <paramref name="inPlace"/> false, packed it).</summary>
    private static long TransposedCount(GemmPath path, bool inPlace) => path switch
    {
        GemmPath.Vector512 => inPlace ? GemmDriver<MicroKernel512>.TransposedInPlace : GemmDriver<MicroKernel512>.TransposedPacked,
        GemmPath.Vector256 => inPlace ? GemmDriver<MicroKernel256>.TransposedInPlace : GemmDriver<MicroKernel256>.TransposedPacked,
        _ => inPlace ? GemmDriver<MicroKernelScalar>.TransposedInPlace : GemmDriver<MicroKernelScalar>.TransposedPacked,
    };

    private static bool ReadTransposedAInPlace(GemmPath path) => path switch
    {
        GemmPath.Vector512 => GemmDriver<MicroKernel512>.ReadTransposedAInPlace,
        GemmPath.Vector256 => GemmDriver<MicroKernel256>.ReadTransposedAInPlace,
        _ => GemmDriver<MicroKernelScalar>.ReadTransposedAInPlace,
    };

    /// <summary>Sets every driver's <c>ReadTransposedAInPlace</c> until disposed.</summary>
    private static IDisposable TransposedAInPlace(bool inPlace)
    {
        var saved = (GemmDriver<MicroKernelScalar>.ReadTransposedAInPlace, GemmDriver<MicroKernel256>.ReadTransposedAInPlace, GemmDriver<MicroKernel512>.ReadTransposedAInPlace);
        GemmDriver<MicroKernelScalar>.ReadTransposedAInPlace = GemmDriver<MicroKernel256>.ReadTransposedAInPlace = GemmDriver<MicroKernel512>.ReadTransposedAInPlace = inPlace;
        return new Restore(() => (GemmDriver<MicroKernelScalar>.ReadTransposedAInPlace, GemmDriver<MicroKernel256>.ReadTransposedAInPlace, GemmDriver<MicroKernel512>.ReadTransposedAInPlace) = saved);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_respects_row_strides_wider_than_the_matrices(string pathName, int m, int n, int k, bool transposeA, bool transposeB)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        // The padding columns of C must come back untouched (Expected keeps them).
        foreach (bool inPlace in transposeA ? new[] { false, true } : [ReadTransposedAInPlace(path)])
        {
            var problem = new Problem(m, n, k, transposeA, transposeB, pad: 5);
            var expected = problem.Expected(1.5f, 1f);
            using (TransposedAInPlace(inPlace))
                problem.Multiply(path, 1, 1.5f, 1f);
            TensorAssert.Close(expected, problem.C, 1e-5 * Math.Sqrt(k), $"{problem.Describe(path)} in place={inPlace}");
        }
    }

    public static TheoryData<string, int, int, int, bool, bool, int> ThreadedShapes()
    {
        var data = new TheoryData<string, int, int, int, bool, bool, int>();
        int[][] sizes = [[300, 200, 300], [40, 700, 90], [1, 3000, 400], [700, 20, 200], [97, 101, 299]];
        foreach (var path in Paths)
            foreach (var s in sizes)
                foreach (int threads in new[] { 2, 3 })
                {
                    data.Add(path.ToString(), s[0], s[1], s[2], false, false, threads);
                    data.Add(path.ToString(), s[0], s[1], s[2], true, true, threads);
                }
        return data;
    }

    [Theory]
    [MemberData(nameof(ThreadedShapes))]
    public void Multiply_split_over_threads_matches_a_naive_triple_loop(string pathName, int m, int n, int k, bool transposeA, bool transposeB, int threads)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        foreach (bool inPlace in transposeA ? new[] { false, true } : [ReadTransposedAInPlace(path)])
        {
            var problem = new Problem(m, n, k, transposeA, transposeB, pad: 1);
            var expected = problem.Expected(0.5f, 0.25f);
            using (TransposedAInPlace(inPlace))
                problem.Multiply(path, threads, 0.5f, 0.25f);
            TensorAssert.Close(expected, problem.C, 1e-5 * Math.Sqrt(k), $"{problem.Describe(path)} threads={threads} in place={inPlace}");
        }
    }

    public static TheoryData<string, int, int, int, bool, bool> PackedShapes()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        int[][] sizes = [[1, 1, 1], [1, 1024, 256], [1, 37, 19], [5, 100, 33], [64, 130, 256], [300, 70, 300]];
        foreach (var path in Paths)
            foreach (var s in sizes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(path.ToString(), s[0], s[1], s[2], ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(PackedShapes))]
    public void Multiply_with_packed_B_matches_a_naive_triple_loop(string pathName, int m, int n, int k, bool transposeA, bool transposeB)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        var problem = new Problem(m, n, k, transposeA, transposeB, pad: 2);
        var packed = Gemm.PackB(path, transposeB, k, n, problem.B, problem.Ldb);
        Assert.Equal((k, n), (packed.Rows, packed.Columns));
        var expected = problem.Expected(-1.25f, 0.5f);
        foreach (int threads in new[] { 1, 2 })
            foreach (bool inPlace in transposeA ? new[] { false, true } : [ReadTransposedAInPlace(path)])
            {
                var c = (float[])problem.C.Clone();
                using (TransposedAInPlace(inPlace))
                    Gemm.Multiply(threads, transposeA, m, -1.25f, problem.A, problem.Lda, packed, 0.5f, c, problem.Ldc);
                TensorAssert.Close(expected, c, 1e-5 * Math.Sqrt(k), $"packed {problem.Describe(path)} threads={threads} in place={inPlace}");
            }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Products_whose_A_blocks_are_cut_to_fit_the_cache_match_a_naive_triple_loop(string pathName)
    {
        // With 4 KB allowed for a unit's block of A, the plans cut row blocks (A as stored) or shallower depth blocks (A stored
        // transposed) at these sizes, as they do at a recurrent layer's sizes with half the L2; the result must not change.
        var path = Enum.Parse<GemmPath>(pathName);
        int saved = GemmDriver<MicroKernelScalar>.ABlockBytes, saved256 = GemmDriver<MicroKernel256>.ABlockBytes, saved512 = GemmDriver<MicroKernel512>.ABlockBytes;
        GemmDriver<MicroKernelScalar>.ABlockBytes = GemmDriver<MicroKernel256>.ABlockBytes = GemmDriver<MicroKernel512>.ABlockBytes = 4096;
        try
        {
            foreach (var (m, n, k) in new[] { (300, 20, 700), (97, 30, 1100), (64, 16, 200) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool inPlace in ta ? new[] { false, true } : [ReadTransposedAInPlace(path)])
                        foreach (int threads in new[] { 1, 2 })
                        {
                            var problem = new Problem(m, n, k, ta, false, pad: 1);
                            var expected = problem.Expected(1f, 0.5f);
                            using (TransposedAInPlace(inPlace))
                                problem.Multiply(path, threads, 1f, 0.5f);
                            TensorAssert.Close(expected, problem.C, 1e-5 * Math.Sqrt(k), $"{problem.Describe(path)} threads={threads} in place={inPlace}");
                        }
        }
        finally
        {
            GemmDriver<MicroKernelScalar>.ABlockBytes = saved;
            GemmDriver<MicroKernel256>.ABlockBytes = saved256;
            GemmDriver<MicroKernel512>.ABlockBytes = saved512;
        }
    }

    public static TheoryData<string, int, int, int, int, bool, bool> SharedLeftShapes()
    {
        var data = new TheoryData<string, int, int, int, int, bool, bool>();
        // m, n1, n2, k: a single row (two plain products), small odd sizes, several depth blocks, sizes the threads split,
        // and one wide enough (several column blocks at k = 512) that the first packs op(A) whole and the second reads it
        int[][] sizes = [[1, 9, 4, 20], [2, 7, 16, 5], [33, 65, 17, 129], [20, 40, 3, 1100], [300, 200, 70, 300], [20, 30, 600, 512]];
        foreach (var path in Paths)
            foreach (var s in sizes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(path.ToString(), s[0], s[1], s[2], s[3], ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(SharedLeftShapes))]
    public void Two_products_sharing_their_left_operand_match_a_naive_triple_loop(string pathName, int m, int n1, int n2, int k, bool transposeA, bool transposeB)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        foreach (int threads in new[] { 1, 2 })
        foreach (bool inPlace in transposeA ? new[] { false, true } : [ReadTransposedAInPlace(path)])
        {
            var first = new Problem(m, n1, k, transposeA, transposeB, pad: 3);
            var second = new Problem(m, n2, k, transposeA, transposeB, pad: 3);
            first.A.CopyTo(second.A, 0);   // the same op(A), stored the same way
            var expected1 = first.Expected(0.5f, -2f);
            var expected2 = second.Expected(0.5f, -2f);
            long sharedBefore = SharedPairs(path), inPlaceBefore = TransposedInPlace(path);
            int used;
            using (KernelThreads.Limit(threads))
            using (TransposedAInPlace(inPlace))
            {
                used = KernelThreads.Count;
                Gemm.MultiplySharedLeft(path, transposeA, transposeB, m, k, 0.5f, first.A, first.Lda,
                    n1, first.B, first.Ldb, first.C, first.Ldc, n2, second.B, second.Ldb, second.C, second.Ldc, -2f);
            }
            TensorAssert.Close(expected1, first.C, 1e-5 * Math.Sqrt(k), $"first {first.Describe(path)} threads={threads} in place={inPlace}");
            TensorAssert.Close(expected2, second.C, 1e-5 * Math.Sqrt(k), $"second {second.Describe(path)} threads={threads} in place={inPlace}");
            // On two threads a product this wide is split into column blocks whatever the caches, so A is packed whole, unless it
            // is stored transposed and read in place by both products
            if (n2 == 600 && used >= 2 && !(transposeA && inPlace)) Assert.True(SharedPairs(path) > sharedBefore, $"{path}: the wider product packed A whole and the other read it");
            if (transposeA && inPlace && m > 1) Assert.True(TransposedInPlace(path) >= inPlaceBefore + 2, $"{path}: both products read the transposed A in place");
        }
    }

    private static long SharedPairs(GemmPath path) => path switch
    {
        GemmPath.Vector512 => GemmDriver<MicroKernel512>.SharedPairs,
        GemmPath.Vector256 => GemmDriver<MicroKernel256>.SharedPairs,
        _ => GemmDriver<MicroKernelScalar>.SharedPairs,
    };

    private static long TransposedInPlace(GemmPath path) => path switch
    {
        GemmPath.Vector512 => GemmDriver<MicroKernel512>.TransposedInPlace,
        GemmPath.Vector256 => GemmDriver<MicroKernel256>.TransposedInPlace,
        _ => GemmDriver<MicroKernelScalar>.TransposedInPlace,
    };

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Single_row_products_are_right_at_every_alignment(string pathName)
    {
        // The vector-matrix product peels columns up to a 64-byte boundary of B: start B and C at
        // every offset within a cache line, with row strides that keep or break that alignment.
        var path = Enum.Parse<GemmPath>(pathName);
        var r = new RandomGenerator(77);
        foreach (var (n, k, ldb) in new[] { (100, 9, 100), (100, 9, 112), (37, 5, 40), (7, 3, 7) })
            foreach (bool transposeB in new[] { false, true })
                for (int offset = 0; offset < 17; offset++)
                {
                    int bRows = transposeB ? n : k, bCols = transposeB ? k : n, ld = Math.Max(ldb, bCols);
                    var bBuffer = Tensor.RandomNormal(r, 0, 1, offset + bRows * ld).ToArray();
                    var x = Tensor.RandomNormal(r, 0, 1, k).ToArray();
                    var cBuffer = Tensor.RandomNormal(r, 0, 1, offset + n).ToArray();
                    var expected = new float[n];
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += (double)x[p] * bBuffer[offset + (transposeB ? j * ld + p : p * ld + j)];
                        expected[j] = (float)(2.0 * s + 0.5 * cBuffer[offset + j]);
                    }
                    Gemm.Multiply(path, 1, false, transposeB, 1, n, k, 2f, x, k, bBuffer.AsSpan(offset), ld, 0.5f, cBuffer.AsSpan(offset), n);
                    TensorAssert.Close(expected, cBuffer.AsSpan(offset, n), 1e-5 * Math.Sqrt(k), $"{path} n={n} k={k} ldb={ld} tB={transposeB} offset={offset}");
                }
    }

    [Fact]
    public void PackB_refills_a_matching_packed_matrix_in_place()
    {
        var first = new Problem(9, 45, 20, false, true);
        var second = new Problem(9, 45, 20, false, true, pad: 3);
        var packed = Gemm.PackB(true, 20, 45, first.B, first.Ldb);
        var refilled = Gemm.PackB(true, 20, 45, second.B, second.Ldb, reuse: packed);
        Assert.Same(packed, refilled);
        var c = new float[9 * 45];
        Gemm.Multiply(false, 9, 1f, second.A, second.Lda, refilled, 0f, c, 45);
        var expected = new float[9 * 45];
        Gemm.Multiply(false, true, 9, 45, 20, 1f, second.A, second.Lda, second.B, second.Ldb, 0f, expected, 45);
        TensorAssert.Close(expected, c, 1e-6);
        Assert.NotSame(packed, Gemm.PackB(true, 21, 45, new float[45 * 21], 21, reuse: packed));
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Beta_zero_never_reads_C(string pathName)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        // BLAS semantics: with beta = 0, C is output only, so NaN garbage in it must not leak through.
        foreach (var (m, n, k) in new[] { (1, 40, 7), (13, 33, 300), (30, 70, 5) })
        {
            var problem = new Problem(m, n, k, false, false);
            Array.Fill(problem.C, float.NaN);
            var expected = problem.Expected(1f, 0f);
            problem.Multiply(path, 1, 1f, 0f);
            TensorAssert.Close(expected, problem.C, 1e-5 * Math.Sqrt(k), problem.Describe(path));
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Results_do_not_depend_on_where_the_operands_sit_in_memory(string pathName)
    {
        // Kernels may peel columns to reach aligned loads; every column must still be computed the same way,
        // or a run's numbers would change with the garbage collector's placement of arrays.
        var path = Enum.Parse<GemmPath>(pathName);
        var r = new RandomGenerator(12);
        foreach (var (m, n, k) in new[] { (1, 70, 9), (1, 300, 33), (3, 50, 20), (13, 40, 7) })
            foreach (bool transposeB in new[] { false, true })
            {
                var a = Tensor.RandomNormal(r, 0, 1, m * k).ToArray();
                var b = Tensor.RandomNormal(r, 0, 1, k * n).ToArray();
                var c0 = Tensor.RandomNormal(r, 0, 1, m * n).ToArray();
                float[]? reference = null;
                for (int offset = 0; offset < 16; offset++)
                {
                    var shiftedB = new float[b.Length + offset];
                    b.CopyTo(shiftedB, offset);
                    var shiftedC = new float[c0.Length + offset];
                    c0.CopyTo(shiftedC, offset);
                    Gemm.Multiply(path, 1, false, transposeB, m, n, k, 0.5f, a, k, shiftedB.AsSpan(offset), transposeB ? k : n, 1f, shiftedC.AsSpan(offset), n);
                    var result = shiftedC.AsSpan(offset).ToArray();
                    if (reference is null) reference = result;
                    else Assert.True(reference.AsSpan().SequenceEqual(result), $"{path} {m}x{n}x{k} tB={transposeB}: offset {offset} changes the result");
                }
            }
    }

    public static TheoryData<string> AllPaths()
    {
        var data = new TheoryData<string>();
        foreach (var path in Paths) data.Add(path.ToString());
        return data;
    }

    [Fact]
    public void Empty_inner_dimension_or_zero_alpha_only_scales_C()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply(false, false, 2, 3, 0, 1f, [], 1, [], 3, 2f, c, 3);
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, c);
        Gemm.Multiply(false, false, 2, 3, 1, 0f, new float[] { float.NaN, 1 }, 1, new float[3], 3, -1f, c, 3);
        Assert.Equal(new float[] { -2, -4, -6, -8, -10, -12 }, c);
        var empty = Gemm.PackB(false, 0, 3, [], 3);
        Gemm.Multiply(false, 2, 1f, [], 0, empty, 0.5f, c, 3);
        Assert.Equal(new float[] { -1, -2, -3, -4, -5, -6 }, c);
    }

    [Fact]
    public void Multiply_respects_leading_dimensions_of_submatrices()
    {
        // A 3x2 block inside a 5-wide buffer, times a 2x4 block inside a 6-wide buffer, into a 7-wide C.
        var a = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
        var b = Enumerable.Range(0, 12).Select(i => (float)(i % 5)).ToArray();
        var c = new float[3 * 7];
        Gemm.Multiply(false, false, 3, 4, 2, 1f, a, 5, b, 6, 0f, c, 7);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 7; j++)
            {
                float expected = j < 4 ? a[i * 5] * b[j] + a[i * 5 + 1] * b[6 + j] : 0f;
                Assert.Equal(expected, c[i * 7 + j]);
            }
    }

    [Fact]
    public void Multiply_rejects_buffers_that_are_too_small()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("A (4 x 4", ex.Message);
        var packed = Gemm.PackB(false, 4, 4, new float[16], 4);
        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 4, 1f, new float[16], 4, packed, 0f, new float[15], 4));
        Assert.Contains("C (4 x 4", ex.Message);
        Assert.Throws<ArgumentException>(() => Gemm.PackB(true, 4, 5, new float[19], 4));
    }
}
