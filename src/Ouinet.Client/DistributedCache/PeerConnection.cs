using System.IO.Pipelines;
using System.Net;
using Ouinet.Http;
using Ouinet.Injector;
using Ouinet.Utp;

namespace Ouinet.Client.DistributedCache;

/// <summary>
/// An HTTP/1.1 connection over uTP to one peer, for one request after another (peers keep a connection open 55 s
/// between requests). One exchange at a time; an exchange that does not read its response to the end, or fails,
/// leaves the connection broken (<see cref="IsReusable"/> false) and it is reset.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private readonly UtpStream _utp;
    private bool _broken;
    private int _disposed;

    private PeerConnection(IPEndPoint peer, UtpStream utp, ProgressStream stream, HttpMessageReader reader, PipeWriter writer)
    {
        Peer = peer;
        _utp = utp;
        Stream = stream;
        Reader = reader;
        Writer = writer;
    }

    public IPEndPoint Peer { get; }

    /// <summary>The connection's bytes; its <see cref="ProgressStream.OnProgress"/> is the current exchange's idle timeout.</summary>
    public ProgressStream Stream { get; }

    public HttpMessageReader Reader { get; }

    public PipeWriter Writer { get; }

    /// <summary>Responses read on this connection so far (a request on a reused connection may meet the peer's close).</summary>
    public int Exchanges { get; private set; }

    /// <summary>Whether another request may follow: every exchange so far ended cleanly and the peer did not ask to close.</summary>
    public bool IsReusable => !_broken && Volatile.Read(ref _disposed) == 0;

    public static async Task<PeerConnection> ConnectAsync(DistributedCacheService owner, IPEndPoint peer, CancellationToken cancellationToken)
    {
        var utp = await owner.Utp.ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        var stream = new ProgressStream(utp, onRead: owner.AddFetched);
        var reader = HttpMessageReader.Create(stream, owner.Options.Limits, leaveOpen: true);
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        return new PeerConnection(peer, utp, stream, reader, writer);
    }

    /// <summary>An exchange ended: <paramref name="clean"/> when its response was read to the end and the peer keeps the connection.</summary>
    public void EndExchange(bool clean)
    {
        Stream.OnProgress = null;
        Exchanges++;
        _broken |= !clean;
    }

    /// <summary>Closes: gracefully (FIN, acknowledged by the peer, so it frees its slot for us) when idle between exchanges, else a reset.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Reader.DisposeAsync().ConfigureAwait(false);
        if (_broken)
        {
            _utp.Abort();
        }
        await _utp.DisposeAsync().ConfigureAwait(false);
    }
}
