using RecurrentSharp.Nn;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Models;

/// <summary>
/// What a captioning task needs of a decoder that writes a caption for an image from its CNN features: the
/// teacher-forced logits for training, greedy decoding and length-normalised beam search. The features are the
/// decoder's own: (B, F) pooled features for <see cref="CaptionDecoder"/>, (B, P, F) grids for
/// <see cref="AttentionCaptionDecoder"/>.
/// </summary>
public abstract class ImageCaptioner : Module
{
    /// <summary>
    /// Teacher-forced pass: the images' features and the caption input tokens (begin token then the caption shifted right).
    /// Returns logits (B, T, V), zero at steps past a caption's length.
    /// </summary>
    public abstract Tensor Logits(Tensor features, PaddedSequences tokens);

    /// <summary>Greedy captioning of a batch of images: the most likely word at each step until <paramref name="endId"/> or <paramref name="maxLength"/> words.</summary>
    public abstract List<int[]> Generate(Tensor features, int beginId, int endId, int maxLength);

    /// <summary>Beam search for one image (a batch of one), length-normalised: see <see cref="CaptionSearch.Beam"/>.</summary>
    public abstract int[] BeamSearch(Tensor features, int beginId, int endId, int maxLength, int width, double lengthPenalty = 1.0);
}
