using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using RecurrentSharp.Tasks.Demos;
using Spectre.Console;

namespace RecurrentSharp.Cli.Display;

/// <summary>Draws a demo's result as text and tables (Spectre.Console), and as JSON for <c>--json</c>.</summary>
internal static class DemoPrinter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // an exploded step gives Infinity or NaN
        WriteIndented = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NumbersOnly } },
    };

    /// <summary>Keeps a demo record's numbers: drops the presentation members of <see cref="DemoResult"/> and puts the name first.</summary>
    private static void NumbersOnly(JsonTypeInfo info)
    {
        if (!typeof(DemoResult).IsAssignableFrom(info.Type)) return;
        var presentation = typeof(DemoResult).GetProperties().Select(p => p.Name).Where(n => n != nameof(DemoResult.Name))
            .Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToHashSet();
        for (int i = info.Properties.Count - 1; i >= 0; i--)
            if (presentation.Contains(info.Properties[i].Name)) info.Properties.RemoveAt(i);
        foreach (var property in info.Properties)
            if (property.Name == "name") property.Order = -1;
    }

    /// <summary>Writes the title, the introduction, the tables and the conclusions to <paramref name="writer"/>.</summary>
    public static void Print(DemoResult result, TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) ? !Console.IsOutputRedirected : !Console.IsErrorRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 200;   // a file or a pipe keeps each table row on one line
        console.MarkupLine("[bold]" + Markup.Escape(result.Title) + "[/]");
        foreach (var line in result.Introduction) console.WriteLine(line);
        foreach (var table in result.Tables)
        {
            console.WriteLine();
            console.MarkupLine("[bold]" + Markup.Escape(table.Title) + "[/]" + (table.Caption is null ? "" : Markup.Escape(": " + table.Caption)));
            var drawn = new Table { Border = TableBorder.Rounded };
            for (int c = 0; c < table.Columns.Count; c++)
            {
                // Numbers line up on the right, words read from the left.
                bool text = table.Rows.All(row => row[c].Numbers is null);
                var column = new TableColumn(Markup.Escape(table.Columns[c]));
                drawn.AddColumn(text ? column.LeftAligned() : column.RightAligned());
            }
            foreach (var row in table.Rows) drawn.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(Format(cell))).ToArray());
            console.Write(drawn);
        }
        console.WriteLine();
        foreach (var line in result.Conclusions) console.WriteLine(line);
    }

    /// <summary>The demo's own record (its numbers) as one JSON object, with the demo's name first.</summary>
    public static string Json(DemoResult result) => JsonSerializer.Serialize(result, result.GetType(), JsonOptions);

    /// <summary>A cell as text: numbers with 6 significant digits, vectors as [a, b].</summary>
    public static string Format(DemoCell cell) => cell.Numbers switch
    {
        null => cell.Text ?? "",
        [var single] when cell.Text is null => Number(single),
        var numbers => "[" + string.Join(", ", numbers.Select(Number)) + "]",
    };

    private static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
