using System.Text.Json;
using System.Text.Json.Nodes;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tasks;

/// <summary>
/// The outcome of training or evaluating a task: the headline metric and its value, the other figures,
/// the training histories (for curves), and lines of text for the console (tables, samples).
/// </summary>
public sealed class TaskResult
{
    /// <summary>Creates a result.</summary>
    public TaskResult(string task, string metric, double value)
    {
        Task = task;
        Metric = metric;
        Value = value;
    }

    /// <summary>The task name.</summary>
    public string Task { get; }

    /// <summary>The name of the headline metric (e.g. "accuracy").</summary>
    public string Metric { get; }

    /// <summary>The headline metric's value.</summary>
    public double Value { get; }

    /// <summary>Other figures by name: numbers, strings, arrays or nested objects (JSON-serializable).</summary>
    public Dictionary<string, object?> Figures { get; } = [];

    /// <summary>Training histories by label (one per trained model).</summary>
    public Dictionary<string, TrainingHistory> Histories { get; } = [];

    /// <summary>Looks inside the model on a few held-out examples, drawn by the HTML report (not part of the JSON).</summary>
    public List<TaskInsight> Insights { get; } = [];

    /// <summary>Lines for the console: tables, confusion matrices, samples.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>Where the model was saved, if it was.</summary>
    public string? ModelPath { get; set; }

    /// <summary>The whole result as one JSON object: {"task", "metric", "value", ...figures}.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["task"] = Task,
            ["metric"] = Metric,
            ["value"] = JsonNumber(Value),
        };
        foreach (var (key, value) in Figures)
            json[key] = value is double d ? JsonNumber(d) : JsonSerializer.SerializeToNode(value);
        if (ModelPath is not null) json["model"] = ModelPath;
        return json;
    }

    private static JsonNode? JsonNumber(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;
}
