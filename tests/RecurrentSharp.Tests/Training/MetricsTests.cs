using RecurrentSharp.Training.Metrics;

namespace RecurrentSharp.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void Confusion_matrix_gives_accuracy_and_per_class_and_macro_scores()
    {
        var m = new ConfusionMatrix(3);
        // actual: 0 0 0 1 1 2 ; predicted: 0 0 1 1 2 2
        m.AddRange([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]);
        Assert.Equal(4.0 / 6, m.Accuracy, 12);
        Assert.Equal(1.0, m.Precision(0), 12);
        Assert.Equal(2.0 / 3, m.Recall(0), 12);
        Assert.Equal(0.8, m.F1(0), 12);
        Assert.Equal(0.5, m.Precision(1), 12);
        Assert.Equal(0.5, m.Recall(1), 12);
        Assert.Equal(0.5, m.Precision(2), 12);
        Assert.Equal(1.0, m.Recall(2), 12);
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, m.MacroF1, 12);
        Assert.Equal(1, m[0, 1]);
        Assert.Contains("actual", m.Format(["a", "b", "c"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0));
    }

    [Fact]
    public void Chunk_f1_follows_conlleval()
    {
        string[] gold = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "O"];
        string[] pred = ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O"];
        // gold chunks: PER[0,2), LOC[3,4), LOC[4,6); predicted: PER[0,2), LOC[3,6)
        var score = ChunkF1.Evaluate([(gold, pred)]);
        Assert.Equal(new ChunkScore(1, 2, 3), score);
        Assert.Equal(50.0, score.Precision, 9);
        Assert.Equal(100.0 / 3, score.Recall, 9);
        Assert.Equal(40.0, score.F1, 9);
    }

    [Fact]
    public void Chunk_f1_starts_a_chunk_at_an_orphan_inside_tag_and_at_a_type_change()
    {
        Assert.Equal(new HashSet<(int, int, string)> { (1, 3, "X"), (3, 4, "Y") },
            ChunkF1.Chunks(["O", "I-X", "I-X", "I-Y"]));
        Assert.Equal(new HashSet<(int, int, string)> { (0, 1, "fromloc.city_name"), (2, 4, "toloc.city_name") },
            ChunkF1.Chunks(["B-fromloc.city_name", "O", "B-toloc.city_name", "I-toloc.city_name"]));
        Assert.Equal(100.0, ChunkF1.Evaluate([(["B-A", "I-A"], ["B-A", "I-A"])]).F1);
    }

    [Fact]
    public void Regression_and_language_model_figures()
    {
        var r = new RegressionMetrics();
        r.AddRange([1f, 2f, 4f], [1f, 4f, 1f]);
        Assert.Equal(Math.Sqrt(13.0 / 3), r.Rmse, 12);
        Assert.Equal(5.0 / 3, r.Mae, 12);
        Assert.Equal(Math.E, LanguageModelMetrics.Perplexity(1), 12);
        Assert.Equal(1.0, LanguageModelMetrics.BitsPerCharacter(Math.Log(2)), 12);
    }
}
