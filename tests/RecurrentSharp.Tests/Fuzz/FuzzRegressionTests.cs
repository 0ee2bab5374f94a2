using RecurrentSharp.Fuzz;
using RecurrentSharp.Tests.Data;

namespace RecurrentSharp.Tests.Fuzz;

/// <summary>
/// Replays the inputs kept from fuzzing (Fuzz/FuzzRegressions/TARGET/: the crashes AFL++ found, now fixed, and the
/// most interesting inputs of each target's minimised corpus) through the same targets the fuzzer runs
/// (fuzz/FuzzTargets.cs): each file reads, or is refused with a <see cref="RecurrentSharpException"/>; never another exception.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fuzz", "FuzzRegressions");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in Directory.GetDirectories(Root).Order())
            foreach (string file in Directory.GetFiles(folder).Order())
                data.Add(Path.GetFileName(folder), Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Every_target_has_regression_inputs_and_every_folder_names_a_target()
    {
        var folders = Directory.GetDirectories(Root).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(FuzzTargets.All.Keys.Order(), folders);
        foreach (string folder in Directory.GetDirectories(Root)) Assert.NotEmpty(Directory.GetFiles(folder));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void A_kept_input_reads_or_is_refused_with_a_named_error(string target, string file)
    {
        using var temp = new TemporaryFolder();
        string path = Path.Combine(temp.Root, file);   // a copy: a target may create files beside its input
        File.Copy(Path.Combine(Root, target, file), path);
        var error = Record.Exception(() => FuzzTargets.All[target](path));
        Assert.True(error is null or RecurrentSharpException, $"{target}/{file} threw {error?.GetType().Name}: {error}");
    }
}
