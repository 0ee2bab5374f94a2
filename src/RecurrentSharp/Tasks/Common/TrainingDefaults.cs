namespace RecurrentSharp.Tasks.Common;

/// <summary>A task's default training settings (the command line may override each).</summary>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="LearningRate">Learning rate.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Clip">Gradient clipping by global norm (0: none).</param>
/// <param name="Patience">Early-stopping patience in epochs.</param>
public sealed record TrainingDefaults(int Epochs, int BatchSize, double LearningRate, string Optimizer = "adam", double Clip = 5.0, int Patience = int.MaxValue);
