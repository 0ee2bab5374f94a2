using RecurrentSharp.Tensors;
using static RecurrentSharp.Tests.Tensors.GradientCheckHarness;

namespace RecurrentSharp.Tests.Tensors;

/// <summary>Every differentiable tensor operation's backward agrees with central finite differences.</summary>
public class OperationGradientTests
{
    /// <summary>A named case: builds its inputs from a generator and returns the function of them.</summary>
    public sealed record Case(string Name, Func<RandomGenerator, (Tensor[] Inputs, Func<Tensor> Function)> Build)
    {
        public override string ToString() => Name;
    }

    private static Case C(string name, Func<RandomGenerator, (Tensor[], Func<Tensor>)> build) => new(name, build);

    public static TheoryData<Case> Cases()
    {
        var cases = new List<Case>
        {
            C("add same shape", r => { var a = Input(r, 3, 4); var b = Input(r, 3, 4); return ([a, b], () => a + b); }),
            C("add broadcast row", r => { var a = Input(r, 2, 3, 4); var b = Input(r, 4); return ([a, b], () => a + b); }),
            C("add broadcast middle", r => { var a = Input(r, 2, 3, 4); var b = Input(r, 2, 1, 4); return ([a, b], () => a + b); }),
            C("add broadcast both", r => { var a = Input(r, 3, 1); var b = Input(r, 1, 4); return ([a, b], () => a + b); }),
            C("subtract broadcast", r => { var a = Input(r, 4); var b = Input(r, 3, 4); return ([a, b], () => a - b); }),
            C("multiply broadcast", r => { var a = Input(r, 2, 3, 4); var b = Input(r, 3, 1); return ([a, b], () => a * b); }),
            C("divide", r => { var a = Input(r, 3, 4); var b = Positive(r, 0.5f, 2f, 3, 4); return ([a, b], () => a / b); }),
            C("divide broadcast scalar tensor", r => { var a = Input(r, 3, 4); var b = Positive(r, 0.5f, 2f, 1); return ([a, b], () => a / b); }),
            C("maximum", r =>
            {
                var a = Input(r, 3, 4);
                var b = Tensor.FromSpan(a.Data, 3, 4);
                for (int i = 0; i < b.Length; i++) b.Data[i] += (i % 2 == 0 ? 0.5f : -0.5f);
                b.RequiresGrad = true;
                return ([a, b], () => Tensor.Maximum(a, b));
            }),
            C("scalar add, multiply, subtract, divide", r => { var a = Positive(r, 0.5f, 2f, 5); return ([a], () => (2f - a * 3f + 1f) / 4f + 1f / a); }),
            C("negate", r => { var a = Input(r, 5); return ([a], () => -a); }),
            C("square", r => { var a = Input(r, 2, 3); return ([a], () => a.Square()); }),
            C("sqrt", r => { var a = Positive(r, 0.5f, 3f, 2, 3); return ([a], () => a.Sqrt()); }),
            C("abs", r => { var a = AwayFromZero(r, 0.1f, 2, 3); return ([a], () => a.Abs()); }),
            C("pow", r => { var a = Positive(r, 0.5f, 2f, 2, 3); return ([a], () => a.Pow(2.5f)); }),
            C("exp", r => { var a = Input(r, 2, 3); return ([a], () => a.Exp()); }),
            C("log", r => { var a = Positive(r, 0.5f, 3f, 2, 3); return ([a], () => a.Log()); }),
            C("tanh", r => { var a = Input(r, 2, 5); return ([a], () => a.Tanh()); }),
            C("sigmoid", r => { var a = Input(r, 2, 5); return ([a], () => a.Sigmoid()); }),
            C("relu", r => { var a = AwayFromZero(r, 0.1f, 2, 5); return ([a], () => a.Relu()); }),
            C("clamp", r => { var a = Tensor.FromArray([-2f, -0.5f, 0.2f, 0.7f, 1.5f, 3f]).WithGrad(); return ([a], () => a.Clamp(-1f, 1f)); }),
            C("softmax last axis", r => { var a = Input(r, 3, 5); return ([a], () => a.Softmax(-1)); }),
            C("softmax first axis", r => { var a = Input(r, 3, 5); return ([a], () => a.Softmax(0)); }),
            C("log-softmax", r => { var a = Input(r, 4, 6); return ([a], () => a.LogSoftmax(-1)); }),
            C("log-softmax middle axis", r => { var a = Input(r, 2, 4, 3); return ([a], () => a.LogSoftmax(1)); }),
            C("sum all", r => { var a = Input(r, 3, 4); return ([a], () => a.Sum()); }),
            C("mean all", r => { var a = Input(r, 3, 4); return ([a], () => a.Mean()); }),
            C("sum axis 0", r => { var a = Input(r, 3, 4, 2); return ([a], () => a.Sum(0)); }),
            C("sum axis 1 keepdim", r => { var a = Input(r, 3, 4, 2); return ([a], () => a.Sum(1, keepDim: true)); }),
            C("sum last axis", r => { var a = Input(r, 3, 4); return ([a], () => a.Sum(-1)); }),
            C("mean axis", r => { var a = Input(r, 3, 4); return ([a], () => a.Mean(1)); }),
            C("max axis", r => { var a = Tensor.FromArray([1f, 5f, 2f, 7f, 3f, 0f, 4f, 6f, 9f, 8f, -1f, 2.5f], 3, 4).WithGrad(); return ([a], () => a.Max(1)); }),
            C("max axis 0", r => { var a = Tensor.FromArray([1f, 5f, 2f, 7f, 3f, 0f, 4f, 6f, 9f, 8f, -1f, 2.5f], 3, 4).WithGrad(); return ([a], () => a.Max(0, keepDim: true)); }),
            C("matmul", r => { var a = Input(r, 3, 4); var b = Input(r, 4, 5); return ([a, b], () => Tensor.MatMul(a, b)); }),
            C("matmul A transposed", r => { var a = Input(r, 4, 3); var b = Input(r, 4, 5); return ([a, b], () => Tensor.MatMul(a, b, transposeA: true)); }),
            C("matmul B transposed", r => { var a = Input(r, 3, 4); var b = Input(r, 5, 4); return ([a, b], () => Tensor.MatMul(a, b, transposeB: true)); }),
            C("matmul both transposed", r => { var a = Input(r, 4, 3); var b = Input(r, 5, 4); return ([a, b], () => Tensor.MatMul(a, b, true, true)); }),
            C("matmul batched", r => { var a = Input(r, 2, 3, 4); var b = Input(r, 2, 4, 5); return ([a, b], () => Tensor.MatMul(a, b)); }),
            C("matmul batched transposed", r => { var a = Input(r, 2, 4, 3); var b = Input(r, 2, 5, 4); return ([a, b], () => Tensor.MatMul(a, b, true, true)); }),
            C("matmul batched times shared", r => { var a = Input(r, 2, 3, 4); var b = Input(r, 5, 4); return ([a, b], () => Tensor.MatMul(a, b, transposeB: true)); }),
            C("matmul batched transposed times shared", r => { var a = Input(r, 2, 4, 3); var b = Input(r, 4, 5); return ([a, b], () => Tensor.MatMul(a, b, transposeA: true)); }),
            C("reshape", r => { var a = Input(r, 2, 6); return ([a], () => a.Reshape(3, -1) * Tensor.Arange(4)); }),
            C("unsqueeze and squeeze", r => { var a = Input(r, 3, 2); return ([a], () => a.Unsqueeze(1).Square().Squeeze(1)); }),
            C("transpose", r => { var a = Input(r, 2, 3, 4); return ([a], () => a.Transpose(0, 2)); }),
            C("permute", r => { var a = Input(r, 2, 3, 4); return ([a], () => a.Permute(1, 2, 0)); }),
            C("slice leading axis (view)", r => { var a = Input(r, 5, 3); return ([a], () => a.Slice(0, 1, 3)); }),
            C("slice inner axis (copy)", r => { var a = Input(r, 2, 5, 3); return ([a], () => a.Slice(1, 2, 2)); }),
            C("select", r => { var a = Input(r, 2, 5, 3); return ([a], () => a.Select(1, 4)); }),
            C("concat", r => { var a = Input(r, 2, 3); var b = Input(r, 2, 1); var c = Input(r, 2, 2); return ([a, b, c], () => Tensor.Concat([a, b, c], 1)); }),
            C("split", r => { var a = Input(r, 2, 6); return ([a], () => { var p = a.Split([1, 2, 3], 1); return Tensor.Concat([p[2], p[0].Square(), p[1] * 2f], 1); }); }),
            C("chunk", r => { var a = Input(r, 4, 2); return ([a], () => { var p = a.Chunk(2, 0); return p[0] * p[1]; }); }),
            C("stack", r => { var a = Input(r, 2, 3); var b = Input(r, 2, 3); return ([a, b], () => Tensor.Stack([a, b, a], 1)); }),
            C("broadcast to", r => { var a = Input(r, 3, 1); return ([a], () => a.BroadcastTo(2, 3, 4)); }),
            C("clone", r => { var a = Input(r, 3); return ([a], () => a.Clone() * a); }),
            C("gather rows", r => { var t = Input(r, 5, 3); return ([t], () => Tensor.GatherRows(t, [4, 0, 4, 2, 1, 4], 2, 3)); }),
            C("index select", r => { var a = Input(r, 3, 4, 2); return ([a], () => a.IndexSelect(1, [3, 0, 3])); }),
            C("masked fill", r => { var a = Input(r, 3, 4); var m = Tensor.FromArray([1f, 0f, 0f, 1f], 4); return ([a], () => a.MaskedFill(m, -5f)); }),
            C("where", r => { var a = Input(r, 3, 4); var b = Input(r, 4); var c = Tensor.FromArray([1f, 0f, 1f], 3, 1); return ([a, b], () => Tensor.Where(c, a, b)); }),
            C("dropout with a fixed mask", r => { var a = Input(r, 4, 5); return ([a], () => a.Dropout(0.3f, true, new RandomGenerator(11))); }),
            C("conv2d", r =>
            {
                var x = Input(r, 2, 2, 5, 6); var w = Input(r, 3, 2, 3, 3); var b = Input(r, 3);
                return ([x, w, b], () => Tensor.Conv2d(x, w, b, stride: 1, padding: 1));
            }),
            C("conv2d strided without bias", r =>
            {
                var x = Input(r, 1, 2, 7, 7); var w = Input(r, 2, 2, 3, 3);
                return ([x, w], () => Tensor.Conv2d(x, w, null, stride: 2, padding: 0));
            }),
            C("max pool", r =>
            {
                // distinct values spaced well beyond the finite-difference step
                var values = new RandomGenerator(3).Permutation(2 * 2 * 4 * 4).Select(v => v * 0.1f).ToArray();
                var x = Tensor.FromArray(values, 2, 2, 4, 4).WithGrad();
                return ([x], () => x.MaxPool2d(2));
            }),
        };
        var data = new TheoryData<Case>();
        foreach (var c in cases) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_finite_differences(Case testCase)
    {
        var (inputs, function) = testCase.Build(new RandomGenerator(1234));
        AssertGradientsMatch(function, inputs);
    }
}
