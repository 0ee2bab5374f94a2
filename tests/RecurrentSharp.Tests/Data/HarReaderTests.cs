using System.Globalization;
using RecurrentSharp.Data;
using RecurrentSharp.Tensors;
using RecurrentSharp.Nn;

namespace RecurrentSharp.Tests.Data;

public class HarReaderTests
{
    private static readonly Lazy<HarSplit> Test = new(() => HarReader.Read(SharedFolder.Path("har"), "test", strict: true));

    [Fact]
    public void Real_test_split_has_2947_windows_of_128_steps_by_9_channels_from_9_subjects()
    {
        var split = Test.Value;
        Assert.Equal([2947, 128, 9], split.Signals.GetShape());
        Assert.Equal(2947, split.Count);
        Assert.Equal([2, 4, 9, 10, 12, 13, 18, 20, 24], split.Subjects.Distinct().Order());
        Assert.Equal(302, split.Subjects.Count(s => s == 2));
        Assert.Equal([0, 1, 2, 3, 4, 5], split.Labels.Distinct().Order());
        Assert.Equal(4, split.Labels[0]); // y_test line 1 is 5 = STANDING
        Assert.Empty(split.Skipped);
    }

    [Fact]
    public void Activity_names_are_ordered_by_id_not_by_line()
    {
        // The shared activity_labels.txt lists 5 STANDING before 4 SITTING.
        Assert.Equal(["WALKING", "WALKING_UPSTAIRS", "WALKING_DOWNSTAIRS", "SITTING", "STANDING", "LAYING"], Test.Value.ActivityNames);
    }

    [Fact]
    public void Channels_are_interleaved_per_step_from_their_files()
    {
        var split = Test.Value;
        Assert.Equal(0.011653f, split.Signals[0, 0, 0]); // body_acc_x_test.csv starts "0.011653,0.013109,…"
        Assert.Equal(0.013109f, split.Signals[0, 1, 0]);
        string gyroZ = File.ReadLines(SharedFolder.Path("har", "UCI HAR Dataset", "test", "Inertial Signals", "body_gyro_z_test.csv")).Skip(100).First();
        float[] expected = gyroZ.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        for (int t = 0; t < 128; t++) Assert.Equal(expected[t], split.Signals[100, t, 5]);

        var batch = split.Batch([100, 0], SequenceLayout.TimeMajor);
        Assert.Equal([128, 2, 9], batch.GetShape());
        Assert.Equal(split.Signals[100, 7, 5], batch[7, 0, 5]);
        Assert.Equal(split.Signals[0, 3, 8], batch[3, 1, 8]);
    }

    [Fact]
    public void The_train_split_has_labels_but_no_signals_here_and_says_which_file_is_missing()
    {
        var error = Assert.Throws<DatasetMissingException>(() => HarReader.Read(SharedFolder.Path("har"), "train"));
        Assert.Contains("body_acc_x_train.txt", error.Message);
    }

    [Fact]
    public void The_original_fixed_width_layout_reads_like_the_csv_variant()
    {
        using var temp = new TemporaryFolder();
        var (root, values) = WriteSmallDataset(temp, fixedWidth: true, windows: 3);
        var split = HarReader.Read(root, "test", strict: true);
        Assert.Equal([3, 128, 9], split.Signals.GetShape());
        for (int w = 0; w < 3; w++)
            for (int c = 0; c < 9; c++)
                Assert.Equal(values(w, c, 17), split.Signals[w, 17, c], 6);
        Assert.Equal([0, 1, 5], split.Labels);
        Assert.Equal([7, 7, 8], split.Subjects);
    }

    [Fact]
    public void A_malformed_window_is_dropped_from_every_channel_in_lenient_mode()
    {
        using var temp = new TemporaryFolder();
        var (root, values) = WriteSmallDataset(temp, fixedWidth: false, windows: 3);
        string gyro = Path.Combine(root, "UCI HAR Dataset", "test", "Inertial Signals", "body_gyro_y_test.csv");
        var lines = File.ReadAllLines(gyro);
        lines[1] = string.Join(',', lines[1].Split(',').Take(100)); // window 2 has 100 values
        File.WriteAllText(gyro, string.Join('\n', lines) + "\n");

        var split = HarReader.Read(root, "test");
        Assert.Equal(2, split.Count);
        Assert.Equal([0, 5], split.Labels);
        Assert.Equal(values(2, 0, 0), split.Signals[1, 0, 0], 6);
        var skipped = Assert.Single(split.Skipped);
        Assert.Equal((gyro, 2), (skipped.FilePath, skipped.LineNumber));
        Assert.Contains("100 values, expected 128", skipped.Reason);

        var error = Assert.Throws<DataFormatException>(() => HarReader.Read(root, "test", strict: true));
        Assert.Contains($"{gyro}, line 2", error.Message);
    }

    [Fact]
    public void Files_of_different_lengths_cannot_be_aligned()
    {
        using var temp = new TemporaryFolder();
        var (root, _) = WriteSmallDataset(temp, fixedWidth: false, windows: 3);
        temp.Write(Path.Combine("UCI HAR Dataset", "test", "subject_test.txt"), "7\n7\n");
        var error = Assert.Throws<DataFormatException>(() => HarReader.Read(root, "test"));
        Assert.Contains("subject_test.txt", error.Message);
        Assert.Contains("has 2 lines", error.Message);
    }

    [Fact]
    public void Subject_disjoint_split_keeps_6_subjects_for_training_and_3_for_evaluation()
    {
        var split = Test.Value;
        var groups = DataSplit.ByGroup(split.Subjects, evaluateGroupCount: 3, new RandomGenerator(1));
        Assert.Equal(6, groups.TrainGroups.Length);
        Assert.Equal(3, groups.EvaluateGroups.Length);
        Assert.Empty(groups.TrainGroups.Intersect(groups.EvaluateGroups));
        Assert.Equal(2947, groups.Train.Length + groups.Evaluate.Length);
        Assert.All(groups.Train, i => Assert.Contains(split.Subjects[i], groups.TrainGroups));
        Assert.All(groups.Evaluate, i => Assert.Contains(split.Subjects[i], groups.EvaluateGroups));
        Assert.Equal(groups.EvaluateGroups, DataSplit.ByGroup(split.Subjects, 3, new RandomGenerator(1)).EvaluateGroups);
    }

    /// <summary>A tiny dataset in the original layout; value(w, c, t) = w + c/10 + t/1000.</summary>
    private static (string Root, Func<int, int, int, float> Value) WriteSmallDataset(TemporaryFolder temp, bool fixedWidth, int windows)
    {
        static float Value(int w, int c, int t) => w + c / 10f + t / 1000f;
        string dataset = "UCI HAR Dataset";
        temp.Write(Path.Combine(dataset, "activity_labels.txt"), "1 WALKING\n2 WALKING_UPSTAIRS\n3 WALKING_DOWNSTAIRS\n4 SITTING\n5 STANDING\n6 LAYING\n");
        temp.Write(Path.Combine(dataset, "test", "y_test.txt"), string.Concat(new[] { 1, 2, 6 }.Take(windows).Select(y => $"{y}\n")));
        temp.Write(Path.Combine(dataset, "test", "subject_test.txt"), string.Concat(new[] { 7, 7, 8 }.Take(windows).Select(s => $"{s}\n")));
        for (int c = 0; c < 9; c++)
        {
            var text = new System.Text.StringBuilder();
            for (int w = 0; w < windows; w++)
            {
                var numbers = Enumerable.Range(0, 128).Select(t => Value(w, c, t));
                text.Append(fixedWidth
                    ? string.Concat(numbers.Select(v => " " + v.ToString("0.0000000e+000", CultureInfo.InvariantCulture).PadLeft(15)))
                    : string.Join(',', numbers.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
                text.Append('\n');
            }
            temp.Write(Path.Combine(dataset, "test", "Inertial Signals", $"{HarReader.Channels[c]}_test.{(fixedWidth ? "txt" : "csv")}"), text.ToString());
        }
        return (temp.Root, Value);
    }
}
