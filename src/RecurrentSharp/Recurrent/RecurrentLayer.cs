using System.Globalization;
using RecurrentSharp.Nn;
using RecurrentSharp.Recurrent.Fused;
using RecurrentSharp.Tensors;

namespace RecurrentSharp.Recurrent;

/// <summary>
/// The common body of <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/>, modelled on PyTorch's
/// <c>nn.RNNBase</c>: stacked layers, optional bidirectionality, dropout between layers, batch-first
/// layout, variable-length batches, and PyTorch's parameter names and shapes, so a PyTorch state_dict
/// loads as it is. Each layer runs on the fused path (<see cref="FusedLayerNode"/>).
/// </summary>
public abstract class RecurrentLayer : Module, IRecurrentLayer
{
    private readonly LayerWeights[][] layers;   // [layer][direction]
    private readonly RandomGenerator random;
    private Tensor? carriedHidden;
    private Tensor? carriedCell;

    /// <summary>Creates the parameters, initialized as PyTorch does: U(-1/√H, 1/√H).</summary>
    protected RecurrentLayer(CellSpec cell, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        float dropout, bool bidirectional, RandomGenerator? random)
    {
        if (inputSize <= 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "inputSize must be positive.");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hiddenSize must be positive.");
        if (numLayers <= 0) throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, "numLayers must be positive.");
        if (dropout < 0f || dropout >= 1f) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1).");
        Cell = cell;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        HasBias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
        this.random = random ?? RandomGenerator.Default;

        int gates = cell.GateCount * hiddenSize;
        layers = new LayerWeights[numLayers][];
        for (int l = 0; l < numLayers; l++)
        {
            layers[l] = new LayerWeights[Directions];
            int layerInput = l == 0 ? inputSize : hiddenSize * Directions;
            for (int d = 0; d < Directions; d++)
            {
                string suffix = string.Create(CultureInfo.InvariantCulture, $"_l{l}{(d == 1 ? "_reverse" : "")}");
                var wih = RegisterParameter("weight_ih" + suffix, NewUniform(gates, layerInput));
                var whh = RegisterParameter("weight_hh" + suffix, NewUniform(gates, hiddenSize));
                Tensor? bih = bias ? RegisterParameter("bias_ih" + suffix, NewUniform(gates)) : null;
                Tensor? bhh = bias ? RegisterParameter("bias_hh" + suffix, NewUniform(gates)) : null;
                Tensor? peephole = cell.Peephole
                    ? RegisterParameter("weight_peephole" + suffix, NewUniform(cell.CoupledGates ? 2 : 3, hiddenSize))
                    : null;
                layers[l][d] = new LayerWeights(wih, whh, bih, bhh, peephole);
            }
        }
    }

    /// <summary>Creates the fused layer for any cell description (<see cref="Rnn"/>, <see cref="Lstm"/> or <see cref="Gru"/>).</summary>
    public static RecurrentLayer Create(CellSpec cell, int inputSize, int hiddenSize, int numLayers = 1, bool bias = true,
        bool batchFirst = false, float dropout = 0f, bool bidirectional = false, RandomGenerator? random = null) => cell.Kind switch
    {
        CellKind.Rnn => new Rnn(inputSize, hiddenSize, numLayers, cell.Activation, bias, batchFirst, dropout, bidirectional, random),
        CellKind.Lstm => new Lstm(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, cell.Peephole, cell.CoupledGates, random: random),
        _ => new Gru(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, cell.Gru, random),
    };

    private Tensor NewUniform(params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        Init.RecurrentDefault(t, random, HiddenSize);
        return t;
    }

    /// <summary>The cell type and variant.</summary>
    public CellSpec Cell { get; }

    /// <summary>The feature size of each input step.</summary>
    public int InputSize { get; }

    /// <summary>The size H of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>The number of stacked layers L.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers have biases b_ih and b_hh.</summary>
    public bool HasBias { get; }

    /// <summary>True when input and output are (batch, time, features); h and c are never batch-first.</summary>
    public bool BatchFirst { get; }

    /// <summary>The dropout probability on the outputs of every layer but the last (training only).</summary>
    public float Dropout { get; }

    /// <summary>True for a bidirectional layer (D = 2).</summary>
    public bool Bidirectional { get; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>D·H, the feature size of each output step.</summary>
    public int OutputSize => Directions * HiddenSize;

    /// <summary>
    /// Stateful mode: when on, a call without h0 starts from the final state of the previous call, detached
    /// from its graph, so a long sequence can be fed in chunks of k steps (truncated BPTT every k steps).
    /// </summary>
    public bool Stateful { get; set; }

    /// <summary>Forgets the state carried in <see cref="Stateful"/> mode.</summary>
    public void ResetState()
    {
        carriedHidden = null;
        carriedCell = null;
    }

    /// <summary>The fused weights of one layer and direction (for cells that reuse them, e.g. captioning).</summary>
    internal LayerWeights WeightsOf(int layer, int direction) => layers[layer][direction];

    /// <summary>
    /// Runs the stacked layers. <paramref name="input"/>: (T, B, I), (B, T, I) when batch-first, or (T, I)
    /// unbatched. <paramref name="h0"/>, <paramref name="c0"/>: (L·D, B, H) or (L·D, H) unbatched; zeros when
    /// null. <paramref name="lengths"/>: each sequence's true length (1..T) in a padded batch.
    /// </summary>
    public RecurrentOutput Forward(Tensor input, Tensor? h0 = null, Tensor? c0 = null, int[]? lengths = null)
    {
        string name = GetType().Name;
        bool unbatched = input.Rank == 2;
        if (input.Rank is not (2 or 3))
            throw new TensorShapeException(name, $"input must be (T, B, {InputSize}), (B, T, {InputSize}) with batchFirst, or unbatched (T, {InputSize}); got {TensorShape.Format(input.Shape)}");
        if (input.Size(-1) != InputSize)
            throw new TensorShapeException(name, $"input {TensorShape.Format(input.Shape)} has {input.Size(-1)} features, the layer expects inputSize {InputSize}");
        if (Stateful && h0 is null && carriedHidden is not null)
        {
            h0 = carriedHidden;
            c0 ??= carriedCell;
        }

        Tensor x;
        if (unbatched)
        {
            x = input.Unsqueeze(1);
            if (lengths is not null) throw new ArgumentException($"{name}: lengths are only meaningful for a batch.");
            h0 = ExpectState(h0, "h0", unbatched: true)?.Unsqueeze(1);
            c0 = ExpectState(c0, "c0", unbatched: true)?.Unsqueeze(1);
        }
        else
        {
            x = BatchFirst ? input.Transpose(0, 1) : input;
            h0 = ExpectState(h0, "h0", unbatched: false, batch: x.Size(1));
            c0 = ExpectState(c0, "c0", unbatched: false, batch: x.Size(1));
        }
        if (c0 is not null && !Cell.HasCellState)
            throw new ArgumentException($"{name}: c0 was given, but a {Cell.Name} layer has no cell state.");
        int steps = x.Size(0), batch = x.Size(1);
        if (steps == 0) throw new TensorShapeException(name, $"input {TensorShape.Format(input.Shape)} has no time steps");
        CheckLengths(lengths, steps, batch, name);
        lengths = (int[]?)lengths?.Clone(); // backward reads them later; the caller may reuse its array

        int D = Directions;
        var finalHidden = new List<Tensor>();
        var finalCell = new List<Tensor>();
        for (int l = 0; l < NumLayers; l++)
        {
            var layerH0 = h0?.Slice(0, l * D, D);
            var layerC0 = c0?.Slice(0, l * D, D);
            var (output, hN, cN) = FusedLayerNode.Run(Cell, x, layerH0, layerC0, layers[l], HiddenSize, lengths);
            finalHidden.Add(hN);
            if (cN is not null) finalCell.Add(cN);
            x = l < NumLayers - 1 && Dropout > 0f && Training ? output.Dropout(Dropout, true, random) : output;
        }

        var hidden = NumLayers == 1 ? finalHidden[0] : Tensor.Concat(finalHidden, 0);
        Tensor? cell = finalCell.Count == 0 ? null : NumLayers == 1 ? finalCell[0] : Tensor.Concat(finalCell, 0);
        if (Stateful)
        {
            carriedHidden = hidden.Detach();
            carriedCell = cell?.Detach();
        }
        if (unbatched) return new RecurrentOutput(x.Squeeze(1), hidden.Squeeze(1), cell?.Squeeze(1));
        return new RecurrentOutput(BatchFirst ? x.Transpose(0, 1) : x, hidden, cell);
    }

    private Tensor? ExpectState(Tensor? state, string what, bool unbatched, int batch = 0)
    {
        if (state is null) return null;
        int[] expected = unbatched ? [NumLayers * Directions, HiddenSize] : [NumLayers * Directions, batch, HiddenSize];
        if (!TensorShape.SameAs(state.Shape, expected))
            throw new TensorShapeException(GetType().Name, $"{what} has shape {TensorShape.Format(state.Shape)}, expected {TensorShape.Format(expected)} (layers·directions, {(unbatched ? "" : "batch, ")}hidden)");
        return state;
    }

    internal static void CheckLengths(int[]? lengths, int steps, int batch, string name)
    {
        if (lengths is null) return;
        if (lengths.Length != batch)
            throw new ArgumentException($"{name}: {lengths.Length} lengths for a batch of {batch}.");
        for (int b = 0; b < lengths.Length; b++)
            if (lengths[b] < 1 || lengths[b] > steps)
                throw new ArgumentException($"{name}: length {lengths[b]} of sequence {b} is outside 1..{steps} (the padded length).");
    }
}
