namespace RecurrentSharp.Data;

/// <summary>
/// The known dataset files (those of the shared data folder's SOURCES.md): path, size, sha256 and a
/// public source. GitHub sources are pinned to the commit the files were taken from, so the bytes
/// (and the sha256) cannot drift; the UCI, Cornell and MNIST-mirror archives are the canonical
/// distributions. A download whose sha256 differs is rejected, never used.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Every known file, grouped by dataset folder.</summary>
    public static readonly IReadOnlyList<DatasetFile> Files =
    [
        new("sms-spam/SMSSpamCollection", 477_907, "7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d",
            new(new Uri("https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"), "SMSSpamCollection")),
        new("sms-spam/readme", 5_868, "8753cd2d3cab68f80c8257851b8c2037778c267f55accb6fd1b5a2e32d36a84e",
            new(new Uri("https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"), "readme")),
        new("sentiment/rt-polaritydata/rt-polarity.neg", 612_256, "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca",
            new(new Uri("https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"), "rt-polarity.neg")),
        new("sentiment/rt-polaritydata/rt-polarity.pos", 626_139, "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
            new(new Uri("https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"), "rt-polarity.pos")),
        new("sentiment/rt-polaritydata/rt-polaritydata.README.1.0.txt", 1_682, "67bc8e858b247a20eb5d6dec39d1fca89ea36112872b48ac8fddfb599dadbf49",
            new(new Uri("https://raw.githubusercontent.com/DavidLKing/cnn-text-classification-pytorch/658afec7a3cee4efde1f64ad6b6047abc7d1591e/rt-polaritydata.README.1.0.txt"))),
        new("sentiment/sentiment-labelled-sentences/imdb_labelled.txt", 85_285, "aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d",
            new(new Uri("https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip"), "imdb_labelled.txt")),
        new("sentiment/sentiment-labelled-sentences/readme.txt", 1_070, "736c26aa54e3614459e50314ece0698051f0923d108ed53938dcb1aa0483bfd4",
            new(new Uri("https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip"), "readme.txt")),
        new("mnist/t10k-images-idx3-ubyte.gz", 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            new(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz"))),
        new("mnist/t10k-labels-idx1-ubyte.gz", 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            new(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"))),
        new("mnist/train-images-idx3-ubyte.gz", 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            new(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"))),
        new("mnist/train-labels-idx1-ubyte.gz", 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            new(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz"))),
        new("timeseries/airline-passengers.csv", 2_180, "8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621",
            new(new Uri("https://raw.githubusercontent.com/jbrownlee/Datasets/d20fcb6402ae34e653d4513b00f39257bb37ed7f/airline-passengers.csv"))),
        new("timeseries/daily-min-temperatures.csv", 67_921, "8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da",
            new(new Uri("https://raw.githubusercontent.com/jbrownlee/Datasets/d20fcb6402ae34e653d4513b00f39257bb37ed7f/daily-min-temperatures.csv"))),
        new("har/UCI HAR Dataset/README.txt", 6_304, "eaee53f45825f349681a1a1b92a997a0082648f9b5bf93ddb3290caeede4b3a8",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/README.txt"))),
        new("har/UCI HAR Dataset/activity_labels.txt", 80, "07bc04f349f768ae5402776ba810fab0f6d30076ab2a0ebfb0f3ec9c5657d809",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/activity_labels.txt"))),
        new("har/UCI HAR Dataset/features.txt", 15_785, "b384889885b1c8680ecf250e0e605b4c79536cdf09ce9f2fa7225a3c6773b5c7",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/features.txt"))),
        new("har/UCI HAR Dataset/features_info.txt", 2_809, "5d7e7d1f204dcfba846043029ef7a15a07c2b3711ee0a122da031f5971b3b585",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/features_info.txt"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_acc_x_test.csv", 3_637_605, "f2290fc89da3548296ad4bcf29b773c2de1f133f0235d6523e76b82c89658ecd",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_acc_x_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_acc_y_test.csv", 3_616_015, "086cb88012eb84088310f5cae7d803a274efc58fa0ce0bea899a0b61311fef40",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_acc_y_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_acc_z_test.csv", 3_634_383, "b0003c9e12d0791e2a3ff47f548ca550da372be356e95d02f133bc6cc5535d22",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_acc_z_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_gyro_x_test.csv", 3_473_505, "9bbcef793909012b9bbb02280c0f85a5eabd3170e1624c2aa2767eba179e53c0",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_gyro_x_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_gyro_y_test.csv", 3_476_629, "4d57d2fce035bab5c262a68676f301d972d60a60d0cf5fbe3a9d86d763aa0a40",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_gyro_y_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/body_gyro_z_test.csv", 3_510_519, "b1fafdb9d2e521091a4a4841ff389021943ed889cc77bf79dbb241b94b3e030a",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/body_gyro_z_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/total_acc_x_test.csv", 2_880_181, "464bc8e7afd9ad89819d16b0c0ef447bcb0eb28440405a15ae05ef1b75614fd7",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/total_acc_x_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/total_acc_y_test.csv", 3_313_306, "6c21c5326d004b9331db1de1377021a078735ffcdd217f489b50f551973c6fd3",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/total_acc_y_test.csv"))),
        new("har/UCI HAR Dataset/test/Inertial Signals/total_acc_z_test.csv", 3_279_708, "774a1fc57bf85a214d0741cd9355a18e522556122f7cd7cf3f892c00276333c5",
            new(new Uri("https://raw.githubusercontent.com/alex-manch/Explainable-HAR-AI/e7aec1e566964e1437fa5470842b34240f43b8e5/UCI%20HAR%20Dataset/total_acc_z_test.csv"))),
        new("har/UCI HAR Dataset/test/subject_test.txt", 7_934, "63b8c577f4a85431c06bd87f6384608c90a9f72f05c7956dd21255dc63515c07",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/test/subject_test.txt"))),
        new("har/UCI HAR Dataset/test/y_test.txt", 5_894, "2a94cb53ca46b956c1b2aebd4a09a72badd8a8e9ea9cdfe9f31b3306a08666bb",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/test/y_test.txt"))),
        new("har/UCI HAR Dataset/train/subject_train.txt", 20_152, "66e1e2fbe9b396fa5155f531dc3348c803f503be663e2318772d49947db9153a",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/train/subject_train.txt"))),
        new("har/UCI HAR Dataset/train/y_train.txt", 14_704, "415b3357e2e2d5e70a45c781947c6bdd80e0410a579d862eedcd6bbce3c694ef",
            new(new Uri("https://raw.githubusercontent.com/lpbarto/HAR_Perceptron/a4280556a756cb5f12fe0eeef0471b32d01f9a8f/UCI%20HAR%20Dataset/train/y_train.txt"))),
        new("text/chinese-poetry/LICENSE", 1_076, "c195319aeaa3ffcbe16aa5d26eec19eae5a42f84337dd2b3dc3c9d5ccbbd6507",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/LICENSE"))),
        new("text/chinese-poetry/poet.tang.0.json", 408_405, "4f88f429938082523cdc72a1612bd7a7c3e3f7a33f8192c61ae51340efc3c92d",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E5%85%A8%E5%94%90%E8%AF%97/poet.tang.0.json"))),
        new("text/chinese-poetry/poet.tang.1000.json", 477_519, "6e703b8d8dcedbd6110f6d48d043665ca2131db2035a5bfcef5e59a19aeb6d75",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E5%85%A8%E5%94%90%E8%AF%97/poet.tang.1000.json"))),
        new("text/chinese-poetry/poet.tang.2000.json", 417_948, "ec28efa7e2ae9cdbbba09f0ed186e32ccae47a325ad1e5816b7ad56071c1665a",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E5%85%A8%E5%94%90%E8%AF%97/poet.tang.2000.json"))),
        new("text/chinese-poetry/poet.tang.3000.json", 453_811, "9e4ba2323752b6b9fbdba875cdbc6a26636fe0cabc85fd066370d4915952001f",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E5%85%A8%E5%94%90%E8%AF%97/poet.tang.3000.json"))),
        new("text/chinese-poetry/poet.tang.4000.json", 488_655, "b8a7946c879b9658a6c667a4c55f776fae7e5e00a17789ab06b274c1429afc66",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E5%85%A8%E5%94%90%E8%AF%97/poet.tang.4000.json"))),
        new("text/chinese-poetry/tangshisanbaishou.json", 148_829, "8423b65d938d0327e369972e790549b42609fa7ac4a2a72df59f4cb5a49c08f8",
            new(new Uri("https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/99ebbef7e1345c0985c44b9fd96a3f9e776f117b/%E8%92%99%E5%AD%A6/tangshisanbaishou.json"))),
        new("text/jaychou_lyrics/jaychou_lyrics.txt", 171_182, "f0cab49f5d00e736c7201a0e2aa9c8dd72da1940c9491b309e4cc657be0faa48",
            new(new Uri("https://raw.githubusercontent.com/d2l-ai/d2l-zh/66964df083b506fcc672132851ea171519d48d0b/data/jaychou_lyrics.txt.zip"), "jaychou_lyrics.txt")),
        new("text/jaychou_lyrics/jaychou_lyrics.txt.zip", 52_607, "3cfedd7d174111cdad5a27eaffaa6a2432a2842cf2590a03dd8a97610ea07043",
            new(new Uri("https://raw.githubusercontent.com/d2l-ai/d2l-zh/66964df083b506fcc672132851ea171519d48d0b/data/jaychou_lyrics.txt.zip"))),
        new("text/tinyshakespeare/input.txt", 1_115_394, "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            new(new Uri("https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt"))),
        new("atis/atis-2.dev.w-intent.iob", 92_042, "99385eebb9295a214ed8a1c0cc547eb8e8d0618c2a4f1094720d52d8902f7ffc",
            new(new Uri("https://raw.githubusercontent.com/yvchen/JointSLU/fad79658f343e98c1737fcfe563e76069b62f064/data/atis-2.dev.w-intent.iob"))),
        new("atis/atis-2.train.w-intent.iob", 808_016, "c4b1fe74c23b226814ca0cb905eb68190226f3954799277a873a7d29347b7d0e",
            new(new Uri("https://raw.githubusercontent.com/yvchen/JointSLU/fad79658f343e98c1737fcfe563e76069b62f064/data/atis-2.train.w-intent.iob"))),
        new("atis/atis.train.w-intent.iob", 900_059, "e0a1e3de978345b4fbfa4f2eefa8bb974460f0f7f38330e179ccaecc80d68178",
            new(new Uri("https://raw.githubusercontent.com/yvchen/JointSLU/fad79658f343e98c1737fcfe563e76069b62f064/data/atis.train.w-intent.iob"))),
        new("seq2seq/_about.txt", 1_441, "575ffe87c93fc17a02d9eec9ddee6e80f6acdb6c414bd2fb1d6206af8d3d5a45",
            new(new Uri("https://raw.githubusercontent.com/lichenyu/demo_datesets/0c0f8a1b4fbf9b294276c19eca82bf3b01d39831/cmn-eng.zip"), "_about.txt")),
        new("seq2seq/cmn-eng.zip", 563_282, "6e21dfeab92f253deefb804de1c372572cc7e6108c9e9325db7155bc0fe1b83c",
            new(new Uri("https://raw.githubusercontent.com/lichenyu/demo_datesets/0c0f8a1b4fbf9b294276c19eca82bf3b01d39831/cmn-eng.zip"))),
        new("seq2seq/cmn.txt", 1_315_138, "f81798986021a75cbbcdd7521e627d87031e1b74e5601cfb3604cf1637ac62dd",
            new(new Uri("https://raw.githubusercontent.com/lichenyu/demo_datesets/0c0f8a1b4fbf9b294276c19eca82bf3b01d39831/cmn-eng.zip"), "cmn.txt")),
        // Datasets of thousands of files: their manifests (written for the shared folder, so with no public
        // source of their own) and the files beside them; the members are listed in Manifests below.
        new("speech/fsdd/MANIFEST.sha256", 231_576, "b74c9dab43d3801f6a7837b8b541edf3ab30f882612fffc1f778fd6794660721",
            null),
        new("speech/fsdd/README.md", 3_977, "523de3cafa0f54707a0ab2760a2d32b640ccfe834a081d7d35c894f1fb6d79f5",
            new(new Uri("https://raw.githubusercontent.com/Jakobovski/free-spoken-digit-dataset/26eb9aaf76e81b692f806f9140c2d2777410d7a1/README.md"))),
        new("flickr8k/CrowdFlowerAnnotations.txt", 2_918_552, "72a74aef443df4848fb1f3c23654ee9e0ca5b528198f68e2efedf11b6ca61260",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/CrowdFlowerAnnotations.txt"))),
        new("flickr8k/ExpertAnnotations.txt", 346_674, "56c2b1a9e1a46ba73b8b151abd7c3c8b1676fbacadb559d0c2eb6524b166cf4f",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/ExpertAnnotations.txt"))),
        new("flickr8k/Flickr8k.lemma.token.txt", 3_244_761, "aebf8ed1e3edd18bbe6cd7c70e5cec6f543f5b0592c371cc69b4507f40092d82",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/Flickr8k.lemma.token.txt"))),
        new("flickr8k/Flickr8k.token.txt", 3_395_237, "1e1f3a371ba1a1bf742e6930521c037e046b2bf3fcc2390ba8405e0301ed7689",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/Flickr8k.token.txt"))),
        new("flickr8k/Flickr_8k.devImages.txt", 25_801, "18ba829f47f6df1cb830bf7f0506e2ddf333818925299babbd1bbcaf50fdc504",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/Flickr_8k.devImages.txt"))),
        new("flickr8k/Flickr_8k.testImages.txt", 25_775, "c0924146c131458ceba45da59670fe9520eadce1e5cafffa16a817672a9b1f17",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/Flickr_8k.testImages.txt"))),
        new("flickr8k/Flickr_8k.trainImages.txt", 154_678, "e330ddd5156a4c2d2e2b67bc587e70e588f2d132bd8a10dc54dcb71e58115d8e",
            new(new Uri("https://raw.githubusercontent.com/siddhantagwl/Image-Caption-Generation/e54a5e83a9bb19cfe10cde932d0207cd79355f8a/Flickr8k_text/Flickr_8k.trainImages.txt"))),
        new("flickr8k/MANIFEST.sha256", 799_959, "3172c83f52c1c485a66819061c2a68aab10ab0c9d505eaae95fbfb370efae5ad",
            null),
        new("flickr8k/readme.txt", 1_821, "6152fc45ae9b629c4af9c8466e5ae608b80fbcb0f6316fef458dc160020a21a2",
            new(new Uri("https://raw.githubusercontent.com/edwardcruzcruz/Describiendo_imagenes_keras/5c9a0ffed365098d0df880dd73c1908d2228cc28/Flickr8k_text/readme.txt"))),
    ];

    /// <summary>
    /// The datasets described by a <see cref="DatasetManifest"/> (their manifest is among <see cref="Files"/>).
    /// FSDD's recordings can be fetched one by one from the pinned repository commit; the Flickr8k images are a
    /// third party's 224×224 set re-encoded for the shared folder (SOURCES.md), so they have no public source
    /// and must be placed by hand.
    /// </summary>
    public static readonly IReadOnlyList<DatasetManifest> Manifests =
    [
        new("speech/fsdd", new Uri("https://raw.githubusercontent.com/Jakobovski/free-spoken-digit-dataset/26eb9aaf76e81b692f806f9140c2d2777410d7a1/")),
        new("flickr8k", null),
    ];


    /// <summary>The catalog entry for a path under the data folder (either separator), or null.</summary>
    public static DatasetFile? Find(string relativePath)
    {
        string normalized = relativePath.Replace('\\', '/');
        return Files.FirstOrDefault(f => f.RelativePath == normalized);
    }
}
