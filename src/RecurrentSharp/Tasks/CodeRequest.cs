namespace RecurrentSharp.Tasks;

/// <summary>
/// What <c>rnn predict</c> of an autoencoder is asked for besides the reconstruction (<see cref="ApplicationTask.PredictCodes"/>).
/// </summary>
/// <param name="Vector">Print each input's code vector (one line of numbers, the form <c>--decode-vector</c> reads).</param>
/// <param name="Nearest">List this many training examples nearest to each input by cosine similarity of their vectors (0: none).</param>
/// <param name="DataPath">Where the training data is now (a file or folder), when it is no longer where the model recorded it.</param>
public sealed record CodeRequest(bool Vector, int Nearest, string? DataPath = null);
