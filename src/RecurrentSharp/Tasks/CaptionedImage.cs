namespace RecurrentSharp.Tasks;

/// <summary>
/// One test image as a captioning model described it, for the report's gallery: the image file, the caption written,
/// two of its references and, for a model with attention, where it looked for each word.
/// </summary>
/// <param name="ImagePath">The image file (drawn small, inline, by the report).</param>
/// <param name="Caption">The caption written (beam search, or greedy when the beam is 1).</param>
/// <param name="References">Two of the image's reference captions.</param>
/// <param name="Words">The caption's words, then &lt;eos&gt;: one per row of <see cref="Weights"/>.</param>
/// <param name="Weights">With attention: for each word, the weights of the <paramref name="GridSide"/> × <paramref name="GridSide"/>
/// regions (row by row from the image's top left, as the CNN's grid lies over the 224 × 224 input); else null.</param>
/// <param name="GridSide">The side of the grid of regions (7 for ResNet-18), 0 without attention.</param>
public sealed record CaptionedImage(string ImagePath, string Caption, IReadOnlyList<string> References, IReadOnlyList<string> Words,
    IReadOnlyList<float[]>? Weights, int GridSide) : TaskInsight;
