using System.Runtime.CompilerServices;
namespace RecurrentSharp.Kernels;

/// <summary>
/// The scalar twin of the SIMD microkernels (machines without SIMD, or with it switched off):
/// a 4 x 8 tile of plain float multiply-adds, accumulated in a small stack block.
/// </summary>
internal readonly unsafe struct MicroKernelScalar : IMicroKernel
{
    public static int Rows => 4;
    public static int Columns => 8;
    public static GemmPath Path => GemmPath.Scalar;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(int rows, int kc, float* a, nint aStride, float* b,
        float* c, nint ldc, float alpha, float beta)
    {
        float* sum = stackalloc float[4 * 8];
        for (int i = 0; i < 4 * 8; i++) sum[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            // sum[i, j] += A[i, p] * B[p, j]
            for (int i = 0; i < rows; i++)
            {
                float aip = a[i];
                float* row = sum + i * 8;
                for (int j = 0; j < 8; j++) row[j] += aip * b[j];
            }
            a += aStride;
            b += 8;
        }
        for (int i = 0; i < rows; i++)
        {
            float* cRow = c + i * ldc;
            for (int j = 0; j < 8; j++)
                cRow[j] = beta == 0f ? alpha * sum[i * 8 + j] : alpha * sum[i * 8 + j] + beta * cRow[j];
        }
    }
}
