namespace RecurrentSharp.Tensors;

/// <summary>
/// The one source of randomness: a seeded xoshiro256** generator whose whole state can be saved and
/// restored, so a training run can be checkpointed and resumed to the same numbers.
/// </summary>
/// <remarks>
/// Every random choice in RecurrentSharp (initial weights, dropout masks, shuffling, sampling) takes a
/// <see cref="RandomGenerator"/>; the same seed gives the same run on every machine and .NET version.
/// </remarks>
public sealed class RandomGenerator
{
    private ulong s0, s1, s2, s3;
    private bool hasSpareNormal;
    private double spareNormal;

    /// <summary>
    /// The process-wide generator used when a module or operation is given none (like PyTorch's
    /// default generator). Reseed it with <see cref="ManualSeed"/> for a reproducible run.
    /// </summary>
    public static RandomGenerator Default { get; private set; } = new(0);

    /// <summary>Replaces <see cref="Default"/> with a fresh generator seeded with <paramref name="seed"/>.</summary>
    public static void ManualSeed(int seed) => Default = new RandomGenerator(seed);

    /// <summary>Creates a generator from a seed (the state is expanded from it with SplitMix64).</summary>
    public RandomGenerator(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64(ref x);
        s1 = SplitMix64(ref x);
        s2 = SplitMix64(ref x);
        s3 = SplitMix64(ref x);
    }

    /// <summary>Creates a generator from a non-negative seed.</summary>
    public RandomGenerator(int seed) : this((ulong)(uint)seed) { }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        // Lemire's multiply-and-reject method.
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            ulong x = NextUInt64() >> 32;
            ulong m = x * range;
            ulong low = m & 0xFFFFFFFFUL;
            if (low >= range || low >= (0x1_0000_0000UL - range) % range)
                return (int)(m >> 32);
        }
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int minInclusive, int maxExclusive) => minInclusive + Next(maxExclusive - minInclusive);

    /// <summary>A standard normal sample (Box-Muller; the second value of each pair is kept for the next call).</summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = r * Math.Sin(2 * Math.PI * u2);
        hasSpareNormal = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Shuffles a span in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    /// <summary>A child generator seeded from this one, for independent streams (e.g. one per worker).</summary>
    public RandomGenerator Fork() => new(NextUInt64());

    /// <summary>The full state (six 64-bit words), for checkpoints.</summary>
    public ulong[] GetState() => [s0, s1, s2, s3, hasSpareNormal ? 1UL : 0UL, BitConverter.DoubleToUInt64Bits(spareNormal)];

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6) throw new ArgumentException($"A generator state has 6 words, got {state.Length}.");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("A generator state of all zeros is invalid.");
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        hasSpareNormal = state[4] != 0;
        spareNormal = BitConverter.UInt64BitsToDouble(state[5]);
    }
}
