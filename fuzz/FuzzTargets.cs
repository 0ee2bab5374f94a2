using RecurrentSharp.Data;
using RecurrentSharp.Data.Images;
using RecurrentSharp.Formats.Onnx;
using RecurrentSharp.Formats.Safetensors;
using RecurrentSharp.Formats.Wav;

namespace RecurrentSharp.Fuzz;

/// <summary>
/// The fuzz targets: each reads one input file through one reader (or one family of readers that share a
/// format), both lenient and strict where the reader has the choice. A <see cref="RecurrentSharpException"/> is
/// the expected answer to bad input; any other exception, a hang or running out of memory is a finding.
/// Compiled into the fuzzer (fuzz/) and into the test project, which replays the regression inputs through the
/// same targets.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Target name → the reads of the file at the given path. The file is the target's own: a target may create files beside it.</summary>
    public static readonly IReadOnlyDictionary<string, Action<string>> All = new Dictionary<string, Action<string>>
    {
        ["safetensors"] = path => SafetensorsReader.Read(path),
        ["onnx"] = path => OnnxReader.Read(path),
        ["wav"] = path => WavReader.Read(path),
        ["idx"] = path => Each(() => IdxReader.ReadImages(path), () => IdxReader.ReadLabels(path)),
        ["timeseries-csv"] = path => Lenient(strict => Each(
            () => TimeSeriesCsvReader.ReadHeader(path),
            () => TimeSeriesCsvReader.Read(path, 0, strict),
            () => TimeSeriesCsvReader.Read(path, 1, strict))),
        ["atis"] = path => Lenient(strict => AtisReader.Read(path, strict)),
        ["har"] = ReadHar,
        ["sms-spam"] = path => Lenient(strict => SmsSpamReader.Read(path, strict)),
        ["sentences"] = path => Lenient(strict => Each(
            () => LabelledSentencesReader.Read(path, strict),
            () => SentencePairReader.Read(path, strict),
            () => PlainSentenceReader.Read(path, 12, strict),
            () => PlainSentenceReader.IsPlainText(path),
            () => RtPolarityReader.ReadFile(path, 1, strict),
            () => TextCorpusReader.Read(path, strict))),
        ["tang-poems"] = path => Lenient(strict => ChinesePoetryReader.Read(path, strict)),
        ["image"] = path => ImageDecoder.Decode(path),
        ["flickr8k"] = path => Lenient(strict => Each(
            () => Flickr8kReader.ReadCaptions(path, strict),
            () => Flickr8kReader.ReadImageList(path, strict))),
    };

    /// <summary>Runs the reads for strict = false and strict = true.</summary>
    private static void Lenient(Action<bool> read)
    {
        Each(() => read(false), () => read(true));
    }

    /// <summary>
    /// Runs every read, each even when an earlier one refused the input with a <see cref="RecurrentSharpException"/>;
    /// rethrows the first such refusal at the end. Any other exception escapes at once.
    /// </summary>
    private static void Each(params Action[] reads)
    {
        RecurrentSharpException? first = null;
        foreach (var read in reads)
        {
            try
            {
                read();
            }
            catch (RecurrentSharpException e)
            {
                first ??= e;
            }
        }
        if (first is not null) throw first;
    }

    /// <summary>
    /// UCI HAR: the input as an activity-label file, then a dataset folder built beside it whose label and
    /// subject files are the input up to its first NUL byte and whose nine signal files are the rest
    /// (the whole input for all of them when it has no NUL).
    /// </summary>
    private static void ReadHar(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int nul = Array.IndexOf(bytes, (byte)0);
        byte[] labels = nul < 0 ? bytes : bytes[..nul];
        byte[] signals = nul < 0 ? bytes : bytes[(nul + 1)..];
        string root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path) + ".har");
        string split = Path.Combine(root, "train");
        string inertial = Path.Combine(split, "Inertial Signals");
        Directory.CreateDirectory(inertial);
        File.WriteAllText(Path.Combine(root, "activity_labels.txt"), "1 WALKING\n2 SITTING\n3 LAYING\n");
        File.WriteAllBytes(Path.Combine(split, "y_train.txt"), labels);
        File.WriteAllBytes(Path.Combine(split, "subject_train.txt"), labels);
        foreach (string channel in HarReader.Channels)
            File.WriteAllBytes(Path.Combine(inertial, $"{channel}_train.txt"), signals);
        Each(() => HarReader.ReadActivityLabels(path), () => Lenient(strict => HarReader.Read(root, "train", strict)));
    }
}
