using System.Diagnostics;
using RecurrentSharp.Formats.Safetensors;

namespace RecurrentSharp.Tests.Tasks;

/// <summary>
/// Crash safety of <c>rnn train --checkpoint PATH --resume</c>: a training process killed with SIGKILL after its
/// first checkpoint, then resumed, ends with a model file byte-identical to an uninterrupted run of the same seed.
/// The runs are separate <c>rnn</c> processes (a kill must not take the test host with it).
/// </summary>
public class KillAndResumeTests(TaskTestFolder folder) : IClassFixture<TaskTestFolder>
{
    private static readonly string Rnn = Path.Combine(AppContext.BaseDirectory, "rnn.dll");

    private static Process Start(params string[] args) => Start(new System.Text.StringBuilder(), args);

    private static Process Start(System.Text.StringBuilder stderr, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Rnn);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["RNN_DATA"] = SharedFolder.DataRoot;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string RunToEnd(params string[] args)
    {
        var stderr = new System.Text.StringBuilder();
        using var process = Start(stderr, args);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "rnn did not finish in 3 minutes");
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr.ToString());
        return stderr.ToString();
    }

    [Theory]
    [InlineData("sms-spam", new[] { "--limit", "1500", "--epochs", "4", "--hidden", "16" })]
    // two phases: lr, then lr/10 with its own checkpoint; 6000 images, since at 1200 an epoch took 0.1 s and the run could
    // finish and save its model between the check that it is still running and the kill
    [InlineData("mnist", new[] { "--limit", "6000", "--epochs", "3", "--hidden", "16" })]
    [InlineData("charlm", new[] { "--limit", "60000", "--epochs", "3", "--hidden", "32", "--window", "50" })]  // truncated BPTT
    public void A_run_killed_after_a_checkpoint_and_resumed_saves_the_same_model_as_an_uninterrupted_run(string task, string[] options)
    {
        string whole = folder.File($"{task}-whole.safetensors");
        string resumed = folder.File($"{task}-resumed.safetensors");
        string checkpoint = folder.File($"{task}.ckpt");
        string[] common = ["train", task, "--threads", "1", "--seed", "3", .. options];
        RunToEnd([.. common, "--out", whole]);

        using (var victim = Start([.. common, "--out", resumed, "--checkpoint", checkpoint]))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(5);
            Assert.True(File.Exists(checkpoint), "no checkpoint was written before the process ended");
            Thread.Sleep(150);  // into the next epoch
            Assert.False(victim.HasExited, "the run ended before it could be killed; give it more work");
            victim.Kill();      // SIGKILL on Unix: no chance to clean up
            victim.WaitForExit();
        }
        Assert.False(File.Exists(resumed), "the killed run must not have saved its model");
        var atKill = SafetensorsReader.Read(checkpoint).Metadata;
        Assert.True(int.Parse(atKill["completed_epochs"]) >= 1);

        string log = RunToEnd([.. common, "--out", resumed, "--checkpoint", checkpoint, "--resume"]);
        Assert.Contains($"resumed from {checkpoint}", log);   // it continued; it did not start again

        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));
    }

    [Fact]
    public void Resume_without_a_checkpoint_path_is_a_usage_error()
    {
        var stderr = new System.Text.StringBuilder();
        using var process = Start(stderr, "train", "sms-spam", "--limit", "50", "--epochs", "1", "--resume", "--out", folder.File("never.safetensors"));
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("--resume needs --checkpoint", stderr.ToString());
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_written_stops_the_run_with_a_message_and_keeps_the_previous_model()
    {
        string model = folder.File("kept.safetensors");
        File.WriteAllText(model, "the previous model");
        string blocker = folder.File("not-a-folder");
        File.WriteAllText(blocker, "x");
        var stderr = new System.Text.StringBuilder();
        using var process = Start(stderr, "train", "sms-spam", "--limit", "100", "--epochs", "1", "--hidden", "8", "--threads", "1",
            "--out", model, "--checkpoint", Path.Combine(blocker, "run.ckpt"));
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("could not write", stderr.ToString());
        Assert.Contains("run.ckpt", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
        Assert.Equal("the previous model", File.ReadAllText(model));
    }
}
