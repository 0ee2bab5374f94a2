using RecurrentSharp.Models;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Recurrent;

namespace RecurrentSharp.Interop.Onnx;

/// <summary>A sequence-to-sequence model as two ONNX graphs: the encoder, and one decoder step to run in a loop.</summary>
/// <param name="Encoder">Inputs "tokens" int64 (B, T) and "lengths" int32 (B); outputs "h" (L, B, D·H) [and "c"], the decoder's initial state.</param>
/// <param name="DecoderStep">Inputs "token" int64 (B), "h" [and "c"]; outputs "logits" (B, V), "h_n" [and "c_n"].</param>
public sealed record OnnxSeq2Seq(OnnxModel Encoder, OnnxModel DecoderStep);

/// <summary>
/// Writes <see cref="Seq2Seq"/> as an encoder graph and a one-step decoder graph. Greedy decoding and beam
/// search stay with the caller (a loop feeding each step's chosen token and state to the next), as ONNX has
/// no operator for beam search.
/// </summary>
internal static class OnnxSeq2SeqExport
{
    public static OnnxSeq2Seq Export(Seq2Seq model)
    {
        if (model.AttentionKind != Seq2SeqAttention.None)
            throw new OnnxUnsupportedException($"{nameof(Seq2Seq)} with {model.AttentionKind} attention does not export yet: its decoder step reads all encoder outputs " +
                "(the step graph would need them as an input and the attention as nodes). A model trained with --attention none exports as an encoder and a decoder-step graph.");
        var encoder = model.Encoder;
        int L = encoder.NumLayers, D = encoder.Directions, H = encoder.HiddenSize, DH = D * H;

        var e = new OnnxGraphBuilder("seq2seq_encoder");
        string embedded = OnnxExporter.Embed(e, model.SourceEmbedding, e.Input("tokens", OnnxDataType.Int64, "batch", "seq"), "source_embedding");
        string lengths = e.Input("lengths", OnnxDataType.Int32, "batch");
        var result = OnnxRecurrentNodes.Emit(e, encoder, e.Transpose(embedded, 1, 0, 2), lengths, null, null, "encoder.");
        // (L·D, B, H) -> (L, B, D·H): each layer's directions side by side, as Seq2Seq.Encode
        string Merge(string state) => D == 1 ? state : e.Reshape(e.Transpose(e.Reshape(state, L, D, -1, H), 0, 2, 1, 3), L, 0, DH);
        e.Output("h", Merge(result.Hidden), OnnxDataType.Float, L, "batch", DH);
        if (result.Cell is not null) e.Output("c", Merge(result.Cell), OnnxDataType.Float, L, "batch", DH);

        var d = new OnnxGraphBuilder("seq2seq_decoder_step");
        var decoder = model.Decoder;
        int V = model.Projection.OutFeatures;
        string token = OnnxExporter.Embed(d, model.TargetEmbedding, d.Input("token", OnnxDataType.Int64, "batch"), "target_embedding");   // (B, E)
        string h = d.Input("h", OnnxDataType.Float, L, "batch", DH);
        string? c = decoder.Cell.HasCellState ? d.Input("c", OnnxDataType.Float, L, "batch", DH) : null;
        var step = OnnxRecurrentNodes.Emit(d, decoder, d.Unsqueeze(token, 0), null, h, c, "decoder.");
        d.Output("logits", OnnxExporter.Linear(d, model.Projection, d.Squeeze(step.Output, 0), "projection", matrix: true), OnnxDataType.Float, "batch", V);
        d.Output("h_n", step.Hidden, OnnxDataType.Float, L, "batch", DH);
        if (step.Cell is not null) d.Output("c_n", step.Cell, OnnxDataType.Float, L, "batch", DH);
        return new OnnxSeq2Seq(e.Model, d.Model);
    }

    public static OnnxModel Refuse(Seq2Seq model) =>
        throw new OnnxUnsupportedException($"{nameof(Seq2Seq)} exports as two graphs (an encoder and one decoder step), not one: use OnnxExporter.Export(Seq2Seq) " +
            $"(the CLI writes <name>.encoder.onnx and <name>.decoder.onnx); its {model.Cell.Name} decoding loop and beam search stay outside ONNX.");
}
