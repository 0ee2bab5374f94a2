namespace RecurrentSharp.Tasks;

/// <summary>
/// A look inside the model on one held-out example, for the HTML report to draw (e.g. where attention looked
/// while writing each output token, or which character CTC emits at each audio frame). Not part of the JSON.
/// </summary>
public abstract record TaskInsight;
