using System.Text.RegularExpressions;

namespace RecurrentSharp.Tests.Architecture;

/// <summary>
/// The house of floors (../shared/design/ARCHITECTURE.md), checked from the source files: each file's
/// namespace puts it on a floor, and no <c>using</c> line or fully qualified name may reach a floor above
/// it. File formats sit beside the bottom: they may use nothing but the root namespace (the exceptions).
/// </summary>
public class FloorTests
{
    /// <summary>The floors bottom up; a namespace's first segment after <c>RecurrentSharp</c> names its floor.</summary>
    internal static readonly IReadOnlyDictionary<string, int> Floors = new Dictionary<string, int>
    {
        [""] = 0, ["Formats"] = 0,
        ["Kernels"] = 1, ["Tensors"] = 2, ["Nn"] = 3, ["Recurrent"] = 4, ["Models"] = 5,
        ["Data"] = 6, ["Training"] = 7, ["Interop"] = 8, ["Tasks"] = 9, ["Cli"] = 10,
    };

    private static readonly Regex NamespaceLine = new(@"^namespace\s+RecurrentSharp(?:\.(?<floor>\w+))?[\w.]*\s*[;{]", RegexOptions.Compiled);
    private static readonly Regex Reference = new(@"\bRecurrentSharp(?:\.(?<floor>[A-Z]\w*))?", RegexOptions.Compiled);

    /// <summary>Every way a file on one floor names a floor above it, as "file, line N: ...".</summary>
    internal static List<string> Violations(IEnumerable<(string Path, string Text)> files)
    {
        var problems = new List<string>();
        foreach (var (path, text) in files)
        {
            string[] lines = text.Split('\n');
            int? own = null;
            for (int i = 0; i < lines.Length && own is null; i++)
            {
                var match = NamespaceLine.Match(lines[i].Trim());
                if (!match.Success) continue;
                string floor = match.Groups["floor"].Value;
                if (!Floors.TryGetValue(floor, out int rank))
                {
                    problems.Add($"{path}, line {i + 1}: namespace RecurrentSharp.{floor} is on no floor of ARCHITECTURE.md");
                    own = -1;
                }
                else own = rank;
            }
            if (own is null) { problems.Add($"{path}: no RecurrentSharp namespace"); continue; }
            if (own < 0) continue;
            for (int i = 0; i < lines.Length; i++)
            {
                string code = WithoutCommentsAndStrings(lines[i]);
                if (code.TrimStart().StartsWith("namespace", StringComparison.Ordinal)) continue;
                foreach (Match reference in Reference.Matches(code))
                {
                    string floor = reference.Groups["floor"].Value;
                    if (floor is "Tests") continue;
                    if (!Floors.TryGetValue(floor, out int rank)) rank = 0;  // a type of the root namespace
                    if (rank > own)
                        problems.Add($"{path}, line {i + 1}: a file on floor {FloorName(own.Value)} uses RecurrentSharp.{floor}, a floor above it");
                }
            }
        }
        return problems;
    }

    private static string FloorName(int rank) => string.Join("/", Floors.Where(f => f.Value == rank).Select(f => f.Key.Length == 0 ? "(root)" : f.Key));

    /// <summary>The line without its // comment and without the contents of string literals (a rough cut, enough for names).</summary>
    private static string WithoutCommentsAndStrings(string line)
    {
        var result = new System.Text.StringBuilder(line.Length);
        bool inString = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (!inString && c == '/' && i + 1 < line.Length && line[i + 1] == '/') break;
            if (c == '"' && (i == 0 || line[i - 1] != '\\')) { inString = !inString; continue; }
            if (!inString) result.Append(c);
        }
        return result.ToString();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RecurrentSharp.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No RecurrentSharp.sln above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<(string, string)> SourceFiles()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        return Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(RepositoryRoot(), f), File.ReadAllText(f)));
    }

    [Fact]
    public void No_source_file_uses_a_floor_above_its_own()
    {
        var files = SourceFiles().ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files found");
        var problems = Violations(files);
        Assert.True(problems.Count == 0, $"{problems.Count} upward references:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Each_library_folder_holds_the_namespace_of_its_floor()
    {
        string library = Path.Combine(RepositoryRoot(), "src", "RecurrentSharp");
        var wrong = Directory.GetDirectories(library)
            .Select(Path.GetFileName)
            .Where(folder => folder is not ("obj" or "bin"))
            .SelectMany(folder => Directory.GetFiles(Path.Combine(library, folder!), "*.cs", SearchOption.AllDirectories)
                .Where(file => !Regex.IsMatch(File.ReadAllText(file), $@"(?m)^namespace RecurrentSharp\.{folder}\b"))
                .Select(file => Path.GetRelativePath(library, file)))
            .ToList();
        Assert.True(wrong.Count == 0, "files whose namespace is not their folder's floor:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void An_upward_using_is_reported_with_its_file_and_line()
    {
        var synthetic = ("src/RecurrentSharp/Kernels/Synthetic.cs",
            "using System;\nusing RecurrentSharp.Tensors;\n\nnamespace RecurrentSharp.Kernels;\n\n// RecurrentSharp.Tasks in a comment does not count\ninternal static class Synthetic { static object X => RecurrentSharp.Models.Seq2Seq.Default; }\n");
        var problems = Violations([synthetic]);
        Assert.Equal(2, problems.Count);
        Assert.Contains("src/RecurrentSharp/Kernels/Synthetic.cs, line 2: a file on floor Kernels uses RecurrentSharp.Tensors", problems[0]);
        Assert.Contains("line 7", problems[1]);
        Assert.Contains("RecurrentSharp.Models", problems[1]);

        var format = ("src/RecurrentSharp/Formats/Wav/Synthetic.cs", "namespace RecurrentSharp.Formats.Wav;\nusing RecurrentSharp.Tensors;\n");
        Assert.Single(Violations([format]));
        var downward = ("src/RecurrentSharp/Tasks/Synthetic.cs", "using RecurrentSharp.Models;\nusing RecurrentSharp.Formats;\nnamespace RecurrentSharp.Tasks.Demo;\n");
        Assert.Empty(Violations([downward]));
    }
}
