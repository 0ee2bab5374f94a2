using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;
using RecurrentSharp.Kernels;

namespace RecurrentSharp.Tests.Kernels;

/// <summary>
/// Gemm picks its microkernel at start-up from what the JIT accelerates. One process can only see
/// its own machine's choice, so these tests rerun the Kernels tests in child processes with
/// AVX-512, AVX2 or all SIMD switched off (<c>DOTNET_EnableAVX512=0</c> and friends), and check
/// inside each child that the narrower path was really taken.
/// </summary>
[Trait("Category", "Kernels")]
public class GemmPathSelectionTests
{
    /// <summary>Set in a child process: the path it must have chosen.</summary>
    private const string ExpectedPathVariable = "RECURRENTSHARP_EXPECTED_GEMM_PATH";

    [Fact]
    public void The_widest_accelerated_path_is_active()
    {
        var expected = Environment.GetEnvironmentVariable(ExpectedPathVariable) is { Length: > 0 } name
            ? Enum.Parse<GemmPath>(name)
            : Vector512.IsHardwareAccelerated ? GemmPath.Vector512
            : Vector256.IsHardwareAccelerated ? GemmPath.Vector256
            : GemmPath.Scalar;
        Assert.Equal(expected, Gemm.ActivePath);
    }

    [Fact]
    public async Task Kernel_tests_pass_in_processes_with_SIMD_switched_off()
    {
        Assert.True(Environment.GetEnvironmentVariable(ExpectedPathVariable) is null,
            "the child-process test must not run inside a child process (its filter excludes it)");
        // (variable that switches SIMD off, the path the child must take): never wider than ours.
        (string Variable, GemmPath Path)[] settings =
        [
            ("DOTNET_EnableAVX512", Min(GemmPath.Vector256, Gemm.ActivePath)),
            ("DOTNET_EnableAVX2", GemmPath.Scalar),
            ("DOTNET_EnableHWIntrinsic", GemmPath.Scalar),
        ];
        var children = await Task.WhenAll(settings.Select(s => RunChild(s.Variable, s.Path)));
        foreach (var (setting, (exitCode, output)) in settings.Zip(children))
        {
            string what = $"child with {setting.Variable}=0 (expecting {setting.Path})";
            Assert.True(exitCode == 0, $"{what} exited with {exitCode}:\n{output}");
            var summary = Regex.Match(output, @"Failed:\s+(\d+), Passed:\s+(\d+)");
            Assert.True(summary.Success, $"{what}: no test summary in its output:\n{output}");
            Assert.Equal("0", summary.Groups[1].Value);
            Assert.True(int.Parse(summary.Groups[2].Value) > 20, $"{what} ran only {summary.Groups[2].Value} tests");
        }
    }

    private static GemmPath Min(GemmPath x, GemmPath y) => x < y ? x : y;

    /// <summary>Runs this assembly's Kernels tests (minus this test) with one SIMD level switched off.</summary>
    private static async Task<(int ExitCode, string Output)> RunChild(string variable, GemmPath expected)
    {
        string assembly = typeof(GemmPathSelectionTests).Assembly.Location;
        string workDirectory = Directory.CreateTempSubdirectory("rnn-gemm-child-").FullName;
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("vstest");
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add($"--TestCaseFilter:Category=Kernels&FullyQualifiedName!~{nameof(Kernel_tests_pass_in_processes_with_SIMD_switched_off)}");
        start.Environment[variable] = "0";
        start.Environment[ExpectedPathVariable] = expected.ToString();
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, "timed out after 3 minutes\n" + await stdout + await stderr);
            }
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }

    /// <summary>The dotnet executable running this test host (tests run as "dotnet exec testhost.dll").</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
