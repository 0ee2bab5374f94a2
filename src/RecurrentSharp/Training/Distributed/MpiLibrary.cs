using System.Runtime.InteropServices;

namespace RecurrentSharp.Training.Distributed;

/// <summary>
/// The few MPI calls data-parallel training needs, bound by hand against a library of the MPICH ABI
/// (Debian's <c>libmpich.so.12</c>; Intel MPI and Cray MPICH share it): handles are 32-bit integers with
/// fixed values (<c>MPI_COMM_WORLD</c> = 0x44000000, <c>MPI_FLOAT</c> = 0x4c00040a, ...), so nothing has to be
/// looked up at run time. Open MPI's handles are addresses of its global objects, a different ABI that this
/// binding does not speak. The library is opened only when <see cref="Load"/> is called (by
/// <see cref="MpiCommunicator.Initialize"/>), so RecurrentSharp runs without MPI installed.
/// </summary>
/// <remarks>
/// Every collective is the non-blocking variant (<c>MPI_Iallreduce</c>, <c>MPI_Ibcast</c>) completed by
/// polling <c>MPI_Test</c>, so that the caller can give up after a timeout instead of hanging forever on a
/// rank that stopped (see <see cref="MpiCommunicator"/>).
/// </remarks>
internal static unsafe class MpiLibrary
{
    // The MPICH ABI's constants (mpich/mpi.h).
    public const int CommWorld = 0x44000000;
    public const int Float = 0x4c00040a;
    public const int Double = 0x4c00080b;
    public const int Int = 0x4c000405;
    public const int OpSum = 0x58000003;
    public const int OpMax = 0x58000001;
    public const int ErrorsReturn = 0x54000001;
    public const int RequestNull = 0x2c000000;
    public const int ThreadSerialized = 2;
    public const int Success = 0;
    public static readonly void* InPlace = (void*)-1;
    public static readonly void* StatusIgnore = (void*)1;

    /// <summary>The file names tried in order (the environment variable <c>RNN_MPI_LIBRARY</c> comes first when set).</summary>
    public static readonly string[] Candidates = ["libmpich.so.12", "libmpi.so.12", "libmpich.so"];

    private static nint handle;

    public static delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
    public static delegate* unmanaged<int*, int> Initialized;
    public static delegate* unmanaged<int*, int> Finalized;
    public static delegate* unmanaged<int> Finalize;
    public static delegate* unmanaged<int, int*, int> CommSize;
    public static delegate* unmanaged<int, int*, int> CommRank;
    public static delegate* unmanaged<int, int, int> CommSetErrhandler;
    public static delegate* unmanaged<void*, void*, int, int, int, int, int*, int> Iallreduce;
    public static delegate* unmanaged<void*, int, int, int, int, int*, int> Ibcast;
    public static delegate* unmanaged<void*, int, int, int, int, int, int*, int> Isend;
    public static delegate* unmanaged<void*, int, int, int, int, int, int*, int> Irecv;
    public static delegate* unmanaged<int*, int*, void*, int> Test;
    public static delegate* unmanaged<int, int, int> Abort;
    public static delegate* unmanaged<int, byte*, int*, int> ErrorString;
    public static delegate* unmanaged<byte*, int*, int> GetProcessorName;

    /// <summary>The path or name of the library that was opened, once <see cref="Load"/> succeeded.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Opens the MPI library and looks up the calls; throws <see cref="DistributedException"/> saying what was tried.</summary>
    public static void Load()
    {
        if (handle != 0) return;
        var names = new List<string>();
        if (Environment.GetEnvironmentVariable("RNN_MPI_LIBRARY") is { Length: > 0 } chosen) names.Add(chosen);
        names.AddRange(Candidates);
        nint opened = 0;
        string? from = null;
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out opened)) { from = name; break; }
        if (opened == 0)
            throw new DistributedException($"--distributed needs an MPI library of the MPICH ABI; none of {string.Join(", ", names)} could be opened. " +
                "On Debian: apt-get install -y mpich libmpich-dev (or set RNN_MPI_LIBRARY to the library's path).");
        InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Export(opened, from!, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(opened, from!, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(opened, from!, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export(opened, from!, "MPI_Finalize");
        CommSize = (delegate* unmanaged<int, int*, int>)Export(opened, from!, "MPI_Comm_size");
        CommRank = (delegate* unmanaged<int, int*, int>)Export(opened, from!, "MPI_Comm_rank");
        CommSetErrhandler = (delegate* unmanaged<int, int, int>)Export(opened, from!, "MPI_Comm_set_errhandler");
        Iallreduce = (delegate* unmanaged<void*, void*, int, int, int, int, int*, int>)Export(opened, from!, "MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, int, int, int, int*, int>)Export(opened, from!, "MPI_Ibcast");
        Isend = (delegate* unmanaged<void*, int, int, int, int, int, int*, int>)Export(opened, from!, "MPI_Isend");
        Irecv = (delegate* unmanaged<void*, int, int, int, int, int, int*, int>)Export(opened, from!, "MPI_Irecv");
        Test = (delegate* unmanaged<int*, int*, void*, int>)Export(opened, from!, "MPI_Test");
        Abort = (delegate* unmanaged<int, int, int>)Export(opened, from!, "MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export(opened, from!, "MPI_Error_string");
        GetProcessorName = (delegate* unmanaged<byte*, int*, int>)Export(opened, from!, "MPI_Get_processor_name");
        LoadedFrom = from;
        handle = opened;
    }

    private static nint Export(nint library, string name, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out var address) ? address
            : throw new DistributedException($"{name} has no {symbol}: it is not an MPI library of the MPICH ABI (MPI 3 or later).");

    /// <summary>MPI's text for an error code.</summary>
    public static string Describe(int code)
    {
        byte* text = stackalloc byte[1024];
        int length = 0;
        return ErrorString(code, text, &length) == Success ? Marshal.PtrToStringUTF8((nint)text, length) : $"MPI error {code}";
    }

    /// <summary>Throws <see cref="DistributedException"/> when an MPI call returned an error.</summary>
    public static void Check(int code, string call)
    {
        if (code != Success) throw new DistributedException($"{call} failed: {Describe(code)}");
    }
}
