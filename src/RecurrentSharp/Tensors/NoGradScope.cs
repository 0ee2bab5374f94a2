namespace RecurrentSharp.Tensors;

/// <summary>
/// Switches off gradient recording on the current thread while it is alive, for inference and for
/// parameter updates: <c>using (new NoGradScope()) { ... }</c>. Scopes nest.
/// </summary>
public sealed class NoGradScope : IDisposable
{
    [ThreadStatic] private static int depth;
    private bool disposed;

    /// <summary>Enters the scope.</summary>
    public NoGradScope() => depth++;

    /// <summary>True when operations on the current thread record themselves for backward.</summary>
    public static bool IsGradEnabled => depth == 0;

    /// <summary>Leaves the scope.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        depth--;
    }
}
