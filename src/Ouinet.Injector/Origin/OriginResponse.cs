using Ouinet.Http;

namespace Ouinet.Injector.Origin;

/// <summary>
/// An origin's final response head and its body, read on demand. Dispose it once done: a connection whose body was
/// read to its end and that may stay open goes back to the pool; any other is closed.
/// </summary>
public sealed class OriginResponse : IAsyncDisposable
{
    private readonly OriginClient _client;
    private readonly OriginConnection _connection;
    private bool _disposed;

    internal OriginResponse(OriginClient client, OriginConnection connection, HttpResponseHead head, HttpBodyReader body, bool keepAlive)
    {
        _client = client;
        _connection = connection;
        Head = head;
        Body = body;
        KeepAlive = keepAlive;
    }

    public HttpResponseHead Head { get; }

    public HttpBodyReader Body { get; }

    /// <summary>The origin connection may serve another request once the body is read.</summary>
    public bool KeepAlive { get; }

    /// <summary>Replaces the progress callback for the body's reads (e.g. the caller's idle timeout).</summary>
    public Action? OnProgress
    {
        get => _connection.Progress.OnProgress;
        set => _connection.Progress.OnProgress = value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _connection.Progress.OnProgress = null;
        if (KeepAlive && Body.IsCompleted)
        {
            await _client.ReturnAsync(_connection);
        }
        else
        {
            await _connection.DisposeAsync();
        }
    }
}
