using System.Globalization;
using System.Text.Json;
using RecurrentSharp.Tensors;
using RecurrentSharp.Data;
using RecurrentSharp.Models;
using RecurrentSharp.Tasks.Common;
using RecurrentSharp.Training;
using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tasks.TimeSeries;

/// <summary>
/// Forecasting one numeric column of any CSV file (airline passengers by default): windows of the last
/// W values, normalized with a scaler fitted on the first two thirds only, predict the next H values; the
/// RMSE in the data's units on the last third is reported beside the naive and seasonal-naive baselines.
/// </summary>
/// <remarks>
/// The network predicts a correction to a simple forecast a_(s+h) that it can read in its own window: the
/// seasonal-naive value y_(s+h−season·k) when a season fits in the window, else the last value y_(s−1).
/// In normalized units z = (y − offset) / scale it learns r = z_(s+h) − a_(s+h), and the forecast is
/// ŷ = scale · (a + r̂) + offset. An untrained network (r̂ = 0) is that baseline; training teaches it the
/// trend and the changes of the seasonal pattern the baseline misses.
/// </remarks>
public sealed class TimeSeriesTask : ApplicationTask
{
    private const string DataFile = "timeseries/airline-passengers.csv";
    private const double EvaluateFraction = 1.0 / 3;
    private const int TargetSteps = 3000;   // optimizer steps the default epoch count aims at
    private static readonly TrainingDefaults Defaults = new(Epochs: 0, BatchSize: 16, LearningRate: 2e-3, Clip: 1.0);

    /// <inheritdoc/>
    public override string Name => "timeseries";

    /// <inheritdoc/>
    public override string Summary => "Forecast any CSV column (--data FILE --column NAME --season N --horizon H --window W); airline passengers by default; RMSE on the last 33% vs seasonal-naive";

    /// <inheritdoc/>
    public override TaskResult Train(TaskOptions options, TaskContext context)
    {
        bool ownFile = options.DataPath is { } given && File.Exists(given);
        string path = TaskData.ResolveFileOrDefault(options, context, DataFile);
        var series = Read(path, options.Get("column"), options, context);
        float[] values = options.Limit is { } limit ? series.Values[..Math.Min(series.Values.Length, Math.Max(0, limit))] : series.Values;
        int season = options.GetPositive("season", 12);
        int horizon = options.GetPositive("horizon", 1);
        int window = options.GetPositive("window", Math.Min(2 * season, 60));
        int split = SlidingWindows.SplitPoint(Math.Max(2, values.Length), EvaluateFraction);
        if (split < season || split <= window)
            throw new TaskUsageException($"{path}: {values.Length} values leave {split} for training, too few for a window of {window} and a season of {season}; use a longer series or smaller --window/--season.");

        var scaler = SeriesScaler.FitStandard(values.AsSpan(0, split));
        var setup = new Setup(scaler, window, horizon, season, AnchorSeason: season <= window ? season : 1);
        var normalized = scaler.Transform(values);
        var train = SlidingWindows.Create(normalized, window, horizon, 0, split);
        var test = EvaluationWindows(normalized, setup, path);
        if (train.Count == 0) throw new TaskUsageException($"{path}: no training window fits before the evaluation part (window {window}, horizon {horizon}).");

        int batchSize = Math.Min(options.BatchSize ?? Defaults.BatchSize, train.Count);
        int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        int epochs = options.Epochs ?? Math.Clamp((TargetSteps + batchesPerEpoch - 1) / batchesPerEpoch, 20, 300);
        var random = new RandomGenerator(options.Seed);
        var config = new SequenceRegressorConfig(Outputs: horizon, HiddenSize: options.Hidden ?? 32, Cell: options.Cell ?? "lstm",
            Layers: options.Layers ?? 1, Dropout: options.Dropout ?? 0f);
        var model = new SequenceRegressor(config, random);
        context.Log($"timeseries: {series.ColumnName} of {Path.GetFileName(path)}: {values.Length} values, {split} for training ({train.Count} windows), " +
            $"{values.Length - split} evaluated ({test.Count} windows); window {window}, horizon {horizon}, season {season}; {epochs} epochs");

        var forecaster = new ResidualForecaster(model, setup.AnchorSeason, horizon);
        var anchors = forecaster.Anchors(normalized, train.TargetStarts);
        var trainer = TaskTrainer.Create<int[]>(model, random, options, Defaults, context, batch =>
        {
            // Mean squared error of the predicted corrections r̂ against r = z − a.
            var corrections = forecaster.Residuals(train.TargetBatch(batch), anchors, batch);
            return new(Losses.MeanSquaredError(model.Forward(train.InputBatch(batch)), corrections), batch.Length);
        }, epochs: epochs, schedule: (optimizer, total, lr) => new CosineAnnealingLR(optimizer, tMax: Math.Max(1, total - 1), etaMin: lr / 10));
        var history = trainer.Fit(r => BatchOrder.Shuffled(train.Count, batchSize, r), null, context.ProgressFor(Name), context.Cancellation);
        if (history.Message is not null) context.Log(history.Message);

        var result = Report(model, values, normalized, test, setup);
        result.Histories[config.Cell] = history;
        result.Figures["train_windows"] = train.Count;
        result.Figures["epochs"] = history.Epochs.Count;
        result.Figures["column"] = series.ColumnName;
        result.Figures["stopped"] = history.StopReason.ToString();

        string output = options.OutputPath ?? $"{Name}.safetensors";
        if (context.WritesFiles) SavedModel.Save(output, Name, model, config, new Dictionary<string, string>
        {
            ["setup"] = JsonSerializer.Serialize(setup),
            ["data"] = ownFile ? Path.GetFullPath(path) : DataFile,
            ["column"] = series.ColumnName,
            ["limit"] = options.Limit?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            [SavedModel.DataFingerprintKey] = Fingerprint(series.Values),
        });
        result.ModelPath = output;
        return result;
    }

    /// <inheritdoc/>
    public override TaskResult Evaluate(SavedModel saved, TaskOptions options, TaskContext context)
    {
        var (model, setup) = Load(saved);
        int? limit = saved.RequireOptionalInt("limit") is { } trainedLimit ? Math.Max(0, trainedLimit) : null;
        string path;
        float[] values;
        if (options.DataPath is { } file && File.Exists(file))
        {
            // The last third of another file, read through the same column and the saved normalization.
            path = file;
            values = Read(path, saved.Require("column"), options, context).Values;
            if (limit is { } n && saved.WasTrainedOn(Fingerprint(values)))
            {
                // The very column the model was trained on: evaluate the same held-out last third as training did.
                context.Log($"{path} is the series this model was trained on: applying its --limit {n} before taking the last third");
                values = values[..Math.Min(values.Length, n)];
            }
        }
        else
        {
            string data = saved.Require("data");
            path = Path.IsPathRooted(data) ? data : TaskData.Resolve(options, context, data);
            values = Read(path, saved.Require("column"), options, context).Values;
            if (limit is { } n) values = values[..Math.Min(values.Length, n)];
        }
        var normalized = setup.Scaler.Transform(values);
        var result = Report(model, values, normalized, EvaluationWindows(normalized, setup, path), setup);
        result.Figures["column"] = saved.Require("column");
        return result;
    }

    /// <inheritdoc/>
    public override IEnumerable<string> Predict(SavedModel saved, IEnumerable<string> inputs)
    {
        var (model, setup) = Load(saved);
        int needed = Math.Max(setup.Window, setup.AnchorSeason);
        foreach (var line in inputs)
        {
            // One history per line, comma or space separated; the forecast uses its last W values.
            var history = line.Split([',', ' ', '\t', ';'], StringSplitOptions.RemoveEmptyEntries)
                .Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v
                    : throw new TaskUsageException($"'{t}' is not a number (give the history as comma-separated values)."))
                .ToArray();
            if (history.Length < needed)
                throw new TaskUsageException($"The model needs at least {needed} past values to forecast, got {history.Length}.");
            var normalized = setup.Scaler.Transform(history);
            var windows = SlidingWindows.Create([.. normalized, .. new float[setup.Horizon]], setup.Window, setup.Horizon, normalized.Length, normalized.Length + setup.Horizon);
            var forecast = Forecast(model, normalized, windows, setup);
            yield return string.Join(",", forecast.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// How a saved model turns data into windows: the normalization fitted on the training part, the window
    /// and horizon, the baseline season, and the season of the forecast the network corrects (1: the last value).
    /// </summary>
    public sealed record Setup(SeriesScaler Scaler, int Window, int Horizon, int Season, int AnchorSeason);

    /// <summary>The windows whose targets lie in the last third; a seasonal-naive forecast needs a season before them.</summary>
    private static WindowSet EvaluationWindows(float[] normalized, Setup setup, string path)
    {
        int split = SlidingWindows.SplitPoint(Math.Max(2, normalized.Length), EvaluateFraction);
        if (split < Math.Max(setup.Window, setup.Season))
            throw new TaskUsageException($"{path}: {normalized.Length} values leave {split} before the evaluated last third, fewer than the window ({setup.Window}) or season ({setup.Season}).");
        var test = SlidingWindows.Create(normalized, setup.Window, setup.Horizon, split, normalized.Length);
        return test.Count > 0 ? test : throw new TaskUsageException($"{path}: the last third ({normalized.Length - split} values) is shorter than the horizon {setup.Horizon}.");
    }

    /// <summary>The forecast a_(s+h) the network corrects, for every window and step: Count × Horizon values (normalized).</summary>
    /// <summary>ŷ = scale · (a + r̂) + offset for every window and step, in the data's units (Count × Horizon values).</summary>
    private static float[] Forecast(SequenceRegressor model, float[] normalized, WindowSet windows, Setup setup)
    {
        using var evaluating = model.Evaluating();
        using var noGrad = new NoGradScope();
        var forecaster = new ResidualForecaster(model, setup.AnchorSeason, setup.Horizon);
        var anchors = forecaster.Anchors(normalized, windows.TargetStarts);
        var forecast = new float[windows.Count * setup.Horizon];
        foreach (var batch in BatchOrder.Sequential(windows.Count, 256))
        {
            var normalizedForecast = forecaster.Forecast(windows.InputBatch(batch), anchors, batch);
            for (int i = 0; i < normalizedForecast.Length; i++)
                forecast[batch[0] * setup.Horizon + i] = setup.Scaler.Inverse(normalizedForecast[i]);
        }
        return forecast;
    }

    private TaskResult Report(SequenceRegressor model, float[] values, float[] normalized, WindowSet test, Setup setup)
    {
        var forecast = Forecast(model, normalized, test, setup);
        var errors = new RegressionMetrics();
        for (int k = 0; k < test.Count; k++)
            errors.AddRange(forecast.AsSpan(k * setup.Horizon, setup.Horizon), values.AsSpan(test.TargetStarts[k], setup.Horizon));
        var seasonal = new SeasonalNaive(setup.Season).Score(values, test.TargetStarts, setup.Horizon);
        var naive = new SeasonalNaive(1).Score(values, test.TargetStarts, setup.Horizon);

        var result = new TaskResult(Name, "rmse", errors.Rmse);
        result.Figures["mae"] = errors.Mae;
        result.Figures["seasonal_naive_rmse"] = seasonal.Rmse;
        result.Figures["naive_rmse"] = naive.Rmse;
        result.Figures["skill_vs_seasonal_naive"] = 1 - errors.Rmse / seasonal.Rmse;   // 1 − RMSE/RMSE_baseline: > 0 beats it
        result.Figures["beats_seasonal_naive"] = errors.Rmse < seasonal.Rmse;
        result.Figures["test_windows"] = test.Count;
        result.Figures["test_values"] = values.Length - SlidingWindows.SplitPoint(values.Length, EvaluateFraction);
        result.Figures["season"] = setup.Season;
        result.Figures["window"] = setup.Window;
        result.Figures["horizon"] = setup.Horizon;
        result.Lines.Add($"RMSE on the last third ({test.Count} windows x {setup.Horizon} steps), in the data's units:");
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {"model (" + model.Config.Cell + ")",-24} {errors.Rmse,10:F3}   MAE {errors.Mae:F3}"));
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {$"seasonal naive (s={setup.Season})",-24} {seasonal.Rmse,10:F3}   MAE {seasonal.Mae:F3}"));
        result.Lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {"naive (last value)",-24} {naive.Rmse,10:F3}   MAE {naive.Mae:F3}"));
        return result;
    }

    private static Data.TimeSeries Read(string path, string? column, TaskOptions options, TaskContext context)
    {
        var series = TimeSeriesCsvReader.Read(path, column, options.Strict);
        foreach (var skipped in series.Skipped) context.Log($"skipped {skipped}");
        return series;
    }

    /// <inheritdoc/>
    public override RecurrentSharp.Nn.Module LoadNetwork(SavedModel model) => Load(model).Model;

    private (SequenceRegressor Model, Setup Setup) Load(SavedModel saved)
    {
        saved.RequireTask(Name);
        var model = new SequenceRegressor(saved.Config<SequenceRegressorConfig>());
        saved.LoadInto(model);
        model.Eval();
        var setup = saved.RequireJson<Setup>("setup");
        if (setup.Scaler is null || setup.Window < 1 || setup.Horizon < 1 || setup.Season < 1 || setup.AnchorSeason < 1)
            throw new ModelFormatException($"{saved.Path}: the metadata entry 'setup' is missing or holds a window, horizon or season below 1.");
        return (model, setup);
    }

    /// <summary>SHA-256 of the column's values (float32 bytes): recognizes the training series however the file is named or placed.</summary>
    private static string Fingerprint(float[] values) =>
        SavedModel.Fingerprint(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
}
