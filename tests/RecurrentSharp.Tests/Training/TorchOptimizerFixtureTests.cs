using System.Text.Json;
using RecurrentSharp.Formats;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;
using RecurrentSharp.Tests.Formats.Safetensors;
using RecurrentSharp.Training;

namespace RecurrentSharp.Tests.Training;

/// <summary>
/// Replays every six-step trajectory in the torch-optim fixture folder (README section 9): build the
/// optimizer from the file's <c>config</c>, feed <c>grad.k.*</c>, compare <c>after.k.*</c>, the lr of
/// scheduler cases, and the final <c>state.*</c>. Any file of that layout is tested without a code change;
/// <c>RNN_TORCH_OPTIM_FIXTURES</c> may point at another folder.
/// </summary>
public class TorchOptimizerFixtureTests
{
    private const double Tolerance = 1e-6; // max|mine − ref| ≤ 1e-6 · max(1, max|ref|), README 9.6
    private static readonly string[] ParameterNames = ["a", "b"];

    private static string Folder =>
        Environment.GetEnvironmentVariable("RNN_TORCH_OPTIM_FIXTURES") is { Length: > 0 } custom ? custom : SharedFolder.Fixture("torch-optim");

    public static TheoryData<string> Cases() => FixtureCases.InFolder(Folder);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Optimizer_follows_the_pytorch_trajectory(string fileName)
    {
        Assert.False(fileName.Length == 0, $"no *.safetensors optimizer fixtures in {Folder}");
        var file = SafetensorsReader.Read(Path.Combine(Folder, fileName));
        int steps = int.Parse(file.Metadata["steps"]);
        var parameters = ParameterNames.Select(n => file[$"init.{n}"].ToTensor().WithGrad()).ToArray();
        using var config = JsonDocument.Parse(file.Metadata["config"]);
        var optimizer = Build(file.Metadata["optimizer"], config.RootElement, parameters);
        LearningRateScheduler? scheduler = null;
        double[]? lrSchedule = null;
        if (file.Metadata.TryGetValue("scheduler", out var schedulerJson))
        {
            using var s = JsonDocument.Parse(schedulerJson);
            scheduler = BuildScheduler(s.RootElement, optimizer);
            lrSchedule = JsonSerializer.Deserialize<double[]>(file.Metadata["lr_schedule"]);
        }

        for (int k = 1; k <= steps; k++)
        {
            if (scheduler is not null)
            {
                Assert.Equal(lrSchedule![k - 1], optimizer.LearningRate, 1e-15 * lrSchedule[k - 1]);
                float lrRef = file[$"lr.{k}"].ToTensor().Item();
                Assert.True(Math.Abs((float)optimizer.LearningRate - lrRef) <= 1e-7 * lrRef, $"{fileName}: lr at step {k} is {optimizer.LearningRate}, expected {lrRef}");
            }
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].Grad = file[$"grad.{k}.{ParameterNames[i]}"].ToTensor();
            optimizer.Step();
            scheduler?.Step();
            for (int i = 0; i < parameters.Length; i++)
                TensorAssert.Close(file[$"after.{k}.{ParameterNames[i]}"].ToTensor(), parameters[i], Tolerance, $"{fileName} after.{k}.{ParameterNames[i]}");
        }

        var state = optimizer.GetState();
        var keys = JsonSerializer.Deserialize<string[]>(file.Metadata["state_keys"])!;
        Assert.Equal(keys.Where(k => k != "step").Order(), optimizer.StateKeys.Order());
        for (int i = 0; i < parameters.Length; i++)
        {
            string n = ParameterNames[i];
            Assert.Equal(steps, optimizer.StepCount(i));
            foreach (var key in keys)
            {
                var reference = file[$"state.{key}.{n}"].ToTensor();
                if (key == "step")
                    Assert.Equal((float)steps, reference.Item());
                else
                    TensorAssert.Close(reference, state.Buffers[OptimizerState.BufferName(i, key)], Tolerance, $"{fileName} state.{key}.{n}");
            }
        }
    }

    /// <summary>The optimizer that PyTorch's constructor call <c>config</c> describes; unknown keys fail the test.</summary>
    private static Optimizer Build(string name, JsonElement config, Tensor[] parameters)
    {
        var used = new HashSet<string>();
        double Number(string key, double fallback)
        {
            used.Add(key);
            return config.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        }
        bool Flag(string key)
        {
            used.Add(key);
            return config.TryGetProperty(key, out var v) && v.GetBoolean();
        }
        (double, double) Betas()
        {
            used.Add("betas");
            return config.TryGetProperty("betas", out var v) ? (v[0].GetDouble(), v[1].GetDouble()) : (0.9, 0.999);
        }

        Optimizer optimizer = name switch
        {
            "SGD" => new Sgd(parameters, Number("lr", double.NaN), Number("momentum", 0), Number("dampening", 0),
                Number("weight_decay", 0), Flag("nesterov"), Flag("maximize")),
            "Adam" => new Adam(parameters, Number("lr", 1e-3), Betas(), Number("eps", 1e-8), Number("weight_decay", 0), Flag("amsgrad"), Flag("maximize")),
            "AdamW" => new AdamW(parameters, Number("lr", 1e-3), Betas(), Number("eps", 1e-8), Number("weight_decay", 1e-2), Flag("amsgrad"), Flag("maximize")),
            "RMSprop" => new RmsProp(parameters, Number("lr", 1e-2), Number("alpha", 0.99), Number("eps", 1e-8),
                Number("weight_decay", 0), Number("momentum", 0), Flag("centered"), Flag("maximize")),
            "Adagrad" => new Adagrad(parameters, Number("lr", 1e-2), Number("lr_decay", 0), Number("weight_decay", 0),
                Number("initial_accumulator_value", 0), Number("eps", 1e-10), Flag("maximize")),
            _ => throw new Xunit.Sdk.XunitException($"unknown optimizer {name}"),
        };
        foreach (var property in config.EnumerateObject())
            Assert.True(used.Contains(property.Name), $"{name}: config key '{property.Name}' is not handled");
        Assert.Equal(name, optimizer.Name);
        return optimizer;
    }

    private static LearningRateScheduler BuildScheduler(JsonElement description, Optimizer optimizer)
    {
        var args = description.GetProperty("kwargs");
        double Arg(string key, double fallback) => args.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        return description.GetProperty("name").GetString() switch
        {
            "StepLR" => new StepLR(optimizer, (int)Arg("step_size", double.NaN), Arg("gamma", 0.1)),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, (int)Arg("T_max", double.NaN), Arg("eta_min", 0)),
            "ExponentialLR" => new ExponentialLR(optimizer, Arg("gamma", double.NaN)),
            "LinearLR" => new LinearLR(optimizer, Arg("start_factor", 1.0 / 3), Arg("end_factor", 1.0), (int)Arg("total_iters", 5)),
            var other => throw new Xunit.Sdk.XunitException($"unknown scheduler {other}"),
        };
    }
}
